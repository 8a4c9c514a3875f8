import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { buildApp, logLines, workerProcesses } from './utils/built-app';
import { json, LoopbackServer } from './utils/loopback-server';
import { OwnRedis } from './utils/own-redis';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * Running tasks whose queue job is gone: two worker processes and an API on a Redis this test owns, a worker
 * SIGKILLed mid-task, then Redis restarted empty.
 */
describe('a running task whose job was lost with Redis', () => {
  const redis = new OwnRedis();
  const remote = new LoopbackServer();
  let remoteUrl: string;
  let env: TestEnv;
  let workers: ReturnType<typeof workerProcesses>;
  let api: TestApp;
  let op: TestUser;
  /** Answers the remote agent holds back until the test lets them go. */
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    buildApp();
    await redis.start();
    remoteUrl = await remote.start();
    env = new TestEnv({
      APP_ROLE: 'api',
      REDIS_URL: redis.url,
      QUEUE_LOCK_DURATION_MS: '2000',
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
      // The data-processor case sends 2.4 MB of records, so that a kill lands midway through its chunks.
      TASK_BODY_LIMIT: '4mb',
    });
    workers = workerProcesses(env, { WORKER_CONCURRENCY: '2', QUEUE_RECONCILE_INTERVAL_MS: '1000' });
    await env.prepare();
    api = await createTestApp({ shared: env });
    op = await createUser(api, 'operator');
  }, 120_000);
  afterAll(async () => {
    await workers?.killAll();
    await api?.close();
    await remote.stop();
    await redis.stopEmpty();
    await env?.destroy();
  });
  beforeEach(() => {
    remote.requests.length = 0;
    held.length = 0;
  });

  const attemptsOf = async (taskId: string) =>
    (
      await request(api.http)
        .get(`/api/v1/tasks/${taskId}/attempts`)
        .set(...bearer(op))
    ).body.data as {
      attempt: number;
      status: string;
      workerId: string;
      startedAt: string;
      takenOverFrom: { workerId: string; startedAt: string }[];
    }[];

  it('is taken over when its worker died: it succeeds once, on the same attempt', async () => {
    // The first call never gets its answer (its worker dies); the one after the takeover does.
    remote.handler = (_req, res) => (remote.requests.length === 1 ? held.push(res) : json(res, 200, { answer: 42 }));
    const agent = await createAgent(api, op, { type: 'http', config: { url: `${remoteUrl}/work`, timeoutMs: 60_000 } });
    const first = await workers.start();
    const second = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input: { n: 1 } });
    await waitFor(async () => remote.requests.length === 1, 20_000);
    const [before] = await attemptsOf(task.id);
    expect(before.takenOverFrom).toEqual([]);
    const [holder, other] = before.workerId.endsWith(`:${first.child.pid}`) ? [first, second] : [second, first];
    await holder.stop('SIGKILL');
    await redis.restartEmpty();

    const done = await settled(api, op, task.id, 60_000);
    expect(done).toEqual(expect.objectContaining({ status: 'succeeded', attempts: 1, output: { answer: 42 } }));
    expect(remote.requests).toHaveLength(2);
    // The attempt keeps its row and number, and says where it ran before.
    expect(await attemptsOf(task.id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'succeeded',
        workerId: expect.stringContaining(`:${other.child.pid}`),
        takenOverFrom: [{ workerId: before.workerId, startedAt: before.startedAt }],
      }),
    ]);
    expect(logLines(other.output()).filter((line) => /taken over/.test(String(line.msg)))).toEqual([
      expect.objectContaining({
        level: 40,
        taskId: task.id,
        msg: `task ${task.id} attempt 1 was taken over from a worker that stopped responding or handed it back`,
        attempt: 1,
        previousWorkerId: expect.stringContaining(`:${holder.child.pid}`),
      }),
    ]);
    await other.stop('SIGTERM');
  }, 120_000);

  it('is left to its worker while that worker lives: it runs once', async () => {
    remote.handler = (_req, res) => held.push(res);
    const agent = await createAgent(api, op, { type: 'http', config: { url: `${remoteUrl}/slow`, timeoutMs: 60_000 } });
    const holder = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input: { n: 2 } });
    await waitFor(async () => remote.requests.length === 1, 20_000);
    const other = await workers.start();
    await redis.restartEmpty();

    // Long enough for the reconcilers of both workers to look at the task several times once Redis is back.
    await sleep(12_000);
    expect(remote.requests).toHaveLength(1);
    json(held[0], 200, { answer: 7 });

    const done = await settled(api, op, task.id, 30_000);
    expect(done).toEqual(expect.objectContaining({ status: 'succeeded', attempts: 1, output: { answer: 7 } }));
    expect(remote.requests).toHaveLength(1);
    expect(await attemptsOf(task.id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'succeeded',
        workerId: expect.stringContaining(`:${holder.child.pid}`),
      }),
    ]);
    // Nothing was taken over.
    const takeovers = logLines(holder.output() + other.output()).filter((line) => /taken over/.test(String(line.msg)));
    expect(takeovers).toEqual([]);
    await holder.stop('SIGTERM');
    await other.stop('SIGTERM');
  }, 120_000);

  it('a data-processor task taken over after its worker died resumes from its saved parts, with the same output', async () => {
    const agent = await createAgent(api, op, { type: 'data-processor', config: { chunkSize: 100 } });
    const records = Array.from({ length: 60_000 }, (_, id) => ({ id, keep: id % 100 === 0, pad: 'x'.repeat(16) }));
    const input = {
      records,
      pipeline: [{ filter: { where: { field: 'keep', op: 'eq', value: true } } }, { select: { fields: ['id'] } }],
    };
    const savedParts = async (taskId: string): Promise<number> =>
      (
        await api.dataSource.query(`SELECT count(*)::int AS n FROM task_checkpoint_parts WHERE task_id = $1`, [taskId])
      )[0].n;

    const holder = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input });
    const reached = await waitFor(
      async () => ((await savedParts(task.id)) >= 20 ? savedParts(task.id) : undefined),
      30_000,
      10,
    );
    await holder.stop('SIGKILL');
    expect(reached).toBeLessThan(600);
    await redis.restartEmpty();

    const other = await workers.start();
    const resumed = await settled(api, op, task.id, 60_000);
    const whole = await settled(api, op, (await submitTask(api, op, { agentId: agent.id, input })).id, 60_000);
    await other.stop('SIGTERM');

    expect(resumed).toEqual(expect.objectContaining({ status: 'succeeded', attempts: 1 }));
    expect(whole.status).toBe('succeeded');
    type Output = { records: unknown[]; stats: { resumedFromChunk: number; chunks: number; outputCount: number } };
    const [a, b] = [resumed.output as Output, whole.output as Output];
    expect(a.stats.resumedFromChunk).toBeGreaterThanOrEqual(reached);
    expect(b.stats.resumedFromChunk).toBe(0);
    expect(a.records).toEqual(b.records);
    expect(a.records).toEqual(records.filter((r) => r.keep).map((r) => ({ id: r.id })));
    expect({ ...a.stats, resumedFromChunk: 0, durationMs: 0 }).toEqual({ ...b.stats, durationMs: 0 });
    // The parts go with the outcome that ended the task.
    expect(await savedParts(task.id)).toBe(0);
  }, 180_000);
});
