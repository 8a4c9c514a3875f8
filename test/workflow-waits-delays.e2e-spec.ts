import { Queue } from 'bullmq';
import Redis from 'ioredis';
import request from 'supertest';
import { WORKFLOW_WAITS_QUEUE } from '../src/jobs/queues';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { client, type RunView, type WaitsClient, waitsTestBed } from './factories/workflow-waits';
import { workerTestBed } from './utils/built-app';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** Wait steps: their delayed jobs, times from templates, jobs Redis lost, cancelled runs, malformed steps, killed workers. */
describe('workflow steps that wait', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let c: WaitsClient;
  waitsTestBed((bed) => ({ t, op, calc, c } = bed));

  it('ends a wait step through its delayed job', async () => {
    const run = await c.start(op, [
      { id: 'pause', kind: 'wait', durationMs: 300 },
      { id: 'after', agentId: calc, dependsOn: ['pause'], input: { expression: '1+1' } },
    ]);
    const waiting = c.step(run, 'pause');
    expect(waiting).toMatchObject({ kind: 'wait', status: 'waiting', approvalDeadline: null });
    const row = await c.stored(run.id);
    expect(row.wakeAt?.toISOString()).toBe(waiting.waitUntil);
    const done = await c.ended(op, run.id);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'pause').output).toEqual({ waitedUntil: waiting.waitUntil });
  });

  it('waits until a time its template renders', async () => {
    const at = new Date(Date.now() + 400).toISOString();
    const run = await c.start(op, [{ id: 'pause', kind: 'wait', until: '{{ input.at }}' }], { at });
    expect(c.step(run, 'pause').waitUntil).toBe(at);
    expect((await c.ended(op, run.id)).status).toBe('succeeded');
  });

  it('finishes a waiting run whose job Redis lost: the reconciler restores it', async () => {
    const run = await c.start(op, [{ id: 'pause', kind: 'wait', durationMs: 1500 }]);
    const redis = new Redis(t.env.config.redis.url);
    const queue = new Queue(WORKFLOW_WAITS_QUEUE, { connection: redis, prefix: `${t.env.config.redis.prefix}:bull` });
    try {
      expect(await queue.getJob(`${run.id}.pause`)).toBeDefined();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.env.config.redis.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
      expect(await queue.getJob(`${run.id}.pause`)).toBeUndefined();
      expect((await c.get(op, run.id)).status).toBe('running');
      const done = await c.ended(op, run.id, 30_000);
      expect(done.status).toBe('succeeded');
      expect(await c.stored(run.id)).toMatchObject({ status: 'succeeded', wakeAt: null });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }, 40_000);

  it('cancels the wait of a cancelled run; its steps can no longer be decided', async () => {
    const run = await c.start(op, [
      { id: 'ok', kind: 'approval' },
      { id: 'pause', kind: 'wait', durationMs: 60_000 },
    ]);
    const cancelled = (
      await request(t.http)
        .post(`/api/v1/workflow-runs/${run.id}/cancel`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;
    expect(cancelled.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    await c.decide(op, run.id, 'ok', 'approve').expect(409);
    expect(await c.stored(run.id)).toMatchObject({ status: 'cancelled', wakeAt: null, parked: false });
    const redis = new Redis(t.env.config.redis.url);
    const queue = new Queue(WORKFLOW_WAITS_QUEUE, { connection: redis, prefix: `${t.env.config.redis.prefix}:bull` });
    expect(await queue.getJob(`${run.id}.pause`)).toBeUndefined();
    await queue.close();
    redis.disconnect();
  });

  it('refuses malformed waiting steps with the field at fault', async () => {
    const bad = async (steps: object[]) =>
      (
        (
          await request(t.http)
            .post('/api/v1/workflows')
            .set(...bearer(op))
            .send({ name: 'bad', steps })
            .expect(400)
        ).body.error.details as { field: string }[]
      ).map((d) => d.field);
    expect(await bad([{ id: 'a', kind: 'approval', agentId: calc, input: {} }])).toEqual([
      '/steps/0/agentId',
      '/steps/0/input',
    ]);
    expect(await bad([{ id: 'a', kind: 'wait' }])).toEqual(['/steps/0/durationMs']);
    expect(await bad([{ id: 'a', kind: 'wait', durationMs: 5, until: '2030-01-01T00:00:00Z' }])).toEqual([
      '/steps/0/durationMs',
    ]);
    expect(await bad([{ id: 'a', kind: 'wait', until: 'tomorrow' }])).toEqual(['/steps/0/until']);
    expect(await bad([{ id: 'a', kind: 'wait', until: '{{ (' }])).toEqual(['/steps/0/until']);
    expect(await bad([{ id: 'a', kind: 'approval', permission: 'everything' }])).toEqual(['/steps/0/permission']);
    expect(await bad([{ id: 'a', kind: 'approval', timeoutMs: 0 }])).toEqual(['/steps/0/timeoutMs']);
    expect(await bad([{ id: 'a', kind: 'sleep' }])).toEqual(['/steps/0/kind']);
    expect(await bad([{ id: 'a', agentId: calc, input: { expression: '1' }, durationMs: 5 }])).toEqual([
      '/steps/0/durationMs',
    ]);
    expect(await bad([{ id: 'a', kind: 'task' }])).toEqual(expect.arrayContaining(['/steps/0/agentId']));
  });
});

describe('a waiting run across a killed worker', () => {
  const bed = workerTestBed({ QUEUE_RECONCILE_INTERVAL_MS: '1000' });
  const { workers } = bed;
  let api: TestApp;

  // Compiling the app is slow on a busy machine.
  beforeAll(async () => ({ api } = await bed.start()), 600_000);
  afterAll(() => bed.stop());

  it('holds no process: killed while it waits, it goes on once a worker is back', async () => {
    const c = client(api);
    const op = await createUser(api, 'operator');
    const calc = (await createAgent(api, op, { type: 'calculator' })).id;
    const first = await workers.start();
    const run = await c.start(op, [
      { id: 'pause', kind: 'wait', durationMs: 1500 },
      { id: 'ok', kind: 'approval', dependsOn: ['pause'] },
      { id: 'after', agentId: calc, dependsOn: ['ok'], input: { expression: '2*3' } },
    ]);
    expect(c.step(run, 'pause').status).toBe('waiting');
    // Killed by the signal, not gone before it (its last output says why, if it was).
    const code = await first.stop('SIGKILL');
    expect({ code, output: code === null ? '' : first.output().slice(-3000) }).toEqual({ code: null, output: '' });
    const due = Date.parse(c.step(run, 'pause').waitUntil!);
    await waitFor(async () => Date.now() > due + 500, 10_000);
    expect(c.step(await c.get(op, run.id), 'pause').status).toBe('waiting');

    await workers.start();
    await c.stepIs(op, run.id, 'ok', 'waiting', 30_000);
    expect(await c.stored(run.id)).toMatchObject({ parked: true, wakeAt: null });
    await c.decide(op, run.id, 'ok', 'approve').expect(200);
    const done = await c.ended(op, run.id, 30_000);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'after').output).toEqual({ result: 6 });
  }, 120_000);
});
