import { FakePurgeBatches, FakePurgeMetrics } from '../../test/fakes/task-retention';
import { retentionCutoff, TaskRetention } from './task-retention';

const DAY = 86_400_000;

function setup(days: number, finishedDaysAgo: number[], batchSize = 2, intervalMs = 60_000) {
  const now = Date.now();
  const store = new FakePurgeBatches(finishedDaysAgo.map((d) => new Date(now - d * DAY)));
  const metrics = new FakePurgeMetrics();
  const retention = new TaskRetention({ taskRetention: { days, batchSize, intervalMs, pauseMs: 0 } }, store, metrics);
  return { store, metrics, retention };
}

describe('retentionCutoff', () => {
  it('is the retention before now, and none when the retention is 0 (keep everything)', () => {
    expect(retentionCutoff(30, 100 * DAY)).toEqual(new Date(70 * DAY));
    expect(retentionCutoff(0, 100 * DAY)).toBeUndefined();
  });
});

describe('TaskRetention', () => {
  it('deletes nothing and asks nothing when the retention is 0', async () => {
    const { store, retention } = setup(0, [400, 500]);
    expect(await retention.run()).toMatchObject({ purged: 0, batches: 0 });
    expect(store.calls).toEqual([]);
    expect(store.finishedAt).toHaveLength(2);
  });

  it('purges the tasks older than the retention in batches until a batch is not full, and counts them', async () => {
    const { store, metrics, retention } = setup(30, [31, 40, 50, 60, 70, 1, 29]);
    const pass = await retention.run();
    // 5 old ones in batches of 2: 2 + 2 + 1, the last one not full.
    expect(pass).toMatchObject({ purged: 5, batches: 3 });
    expect(store.calls.map((c) => c.limit)).toEqual([2, 2, 2]);
    expect(store.finishedAt).toHaveLength(2);
    expect(metrics.purged).toBe(5);
  });

  it('asks once more after a full last batch, and a second pass finds nothing to do', async () => {
    const { store, retention } = setup(30, [31, 40, 50, 60]);
    expect(await retention.run()).toMatchObject({ purged: 4, batches: 3 });
    expect(await retention.run()).toMatchObject({ purged: 0, batches: 1 });
    expect(store.finishedAt).toEqual([]);
  });

  it('stops starting batches once the pass has used its share of the period, leaving the rest to the next', async () => {
    const { store, retention } = setup(
      30,
      Array.from({ length: 10 }, (_, i) => 40 + i),
      2,
      1,
    );
    const slow = store.purgeBatch.bind(store);
    store.purgeBatch = async (before, limit) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return slow(before, limit);
    };
    expect(await retention.run()).toMatchObject({ purged: 2, batches: 1 });
    expect(store.finishedAt).toHaveLength(8);
  });
});
