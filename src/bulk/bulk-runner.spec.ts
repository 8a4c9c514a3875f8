import type { AppConfig } from '../config/app-config';
import { FakeBulkMetrics, FakeBulkStore, FakeTarget, fakeOperation } from '../../test/fakes/bulk';
import { BulkRunner } from './bulk-runner';
import type { BulkOperationStore } from './ports';

describe('BulkRunner', () => {
  const ids = Array.from({ length: 25 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
  const setup = () => {
    const store = new FakeBulkStore();
    store.ops.set('op-1', fakeOperation({ matched: ids.length }));
    const target = new FakeTarget(ids);
    const metrics = new FakeBulkMetrics();
    const runner = new BulkRunner(store as unknown as BulkOperationStore, target, metrics, {
      bulk: { batchSize: 10 },
    } as AppConfig);
    return { store, target, metrics, runner };
  };

  it('changes every match a batch at a time, then ends with one entry of its counts', async () => {
    const { store, target, metrics, runner } = setup();
    await runner.run('op-1');
    expect(target.changed).toEqual(ids);
    expect(store.ops.get('op-1')).toMatchObject({ status: 'succeeded', done: 25, failed: 0, cursor: 'id-24' });
    expect(store.entries).toEqual([
      expect.objectContaining({
        action: 'bulk_operation.finish',
        actorType: 'system',
        resourceId: 'op-1',
        details: expect.objectContaining({ matched: 25, done: 25, failed: 0, status: 'succeeded' }),
      }),
    ]);
    expect(metrics).toMatchObject({ finished: ['succeeded'], items: 25 });
  });

  it('resumes after the last batch it saved, changing nothing twice', async () => {
    const { store, target, runner } = setup();
    target.failAfter = 10;
    await expect(runner.run('op-1')).rejects.toThrow('worker died');
    expect(store.ops.get('op-1')).toMatchObject({ status: 'running', done: 10, cursor: 'id-09' });
    await runner.run('op-1');
    expect(target.changed).toEqual(ids);
    expect(store.ops.get('op-1')).toMatchObject({ status: 'succeeded', done: 25 });
  });

  it('leaves an operation that is over alone, and fails one whose job gave up', async () => {
    const { store, target, runner } = setup();
    await runner.run('op-1');
    await runner.run('op-1');
    expect(target.changed).toHaveLength(25);
    store.ops.set('op-2', fakeOperation({ id: 'op-2', status: 'running' }));
    await runner.fail('op-2', 'Postgres went away');
    expect(store.ops.get('op-2')).toMatchObject({ status: 'failed', error: 'Postgres went away' });
    expect(store.entries[1]).toMatchObject({ outcome: 'failure', resourceId: 'op-2' });
  });
});
