import Redis from 'ioredis';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, type RunView, startRun } from './factories/workflows';
import { type RunningProcess, workerTestBed } from './utils/built-app';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * A running task cancelled while its worker was dead and its job lost with Redis: nothing will take the job and
 * find the task cancelled, so the reconciler closes the attempt, and the agent's slot (concurrency 1) is free
 * for its next task long before its lease (timeout + 30 s) would lapse.
 */
describe('the attempt of a task that ended while its worker and job were gone', () => {
  const bed = workerTestBed(
    { QUEUE_LOCK_DURATION_MS: '2000', AGENT_ALLOW_PRIVATE_NETWORKS: 'true' },
    { WORKER_CONCURRENCY: '2', QUEUE_RECONCILE_INTERVAL_MS: '1000' },
  );
  const { remote, workers } = bed;
  let api: TestApp;
  let remoteUrl: string;
  let op: TestUser;
  let redis: Redis;

  beforeAll(async () => {
    ({ api, remoteUrl } = await bed.start());
    op = await createUser(api, 'operator');
    redis = new Redis(bed.env.config.redis.url);
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await bed.stop();
  });
  // A case that failed leaves its worker running: the next case starts without it.
  afterEach(() => workers.killAll());
  beforeEach(() => {
    remote.requests.length = 0;
    // The first call is slow (its worker is killed meanwhile); the next task's is answered at once.
    remote.handler = (_req, res) =>
      remote.requests.length === 1 ? setTimeout(() => json(res, 200, { late: true }), 6000) : json(res, 200, { n: 2 });
  });

  /** Removes this environment's keys under `under` (`''`: all of them, as a FLUSHALL would). */
  const wipe = async (under: string): Promise<void> => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${bed.env.config.redis.prefix}:${under}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  };

  const attemptsOf = async (taskId: string) =>
    (
      await request(api.http)
        .get(`/api/v1/tasks/${taskId}/attempts`)
        .set(...bearer(op))
    ).body.data as { attempt: number; status: string; finishedAt: string | null; error: { code: string } | null }[];

  /** An agent that runs one task at a time, with a lease (timeout + 30 s) far longer than the test waits. */
  const slowAgent = () =>
    createAgent(api, op, {
      type: 'http',
      concurrency: 1,
      timeoutMs: 120_000,
      config: { url: `${remoteUrl}/work`, timeoutMs: 120_000 },
    });

  /** Starts a worker, runs `start` on it until the remote has the first call, then SIGKILLs the worker. */
  const killedMidCall = async <T>(start: () => Promise<T>): Promise<T> => {
    const worker = await workers.start();
    const started = await start();
    await waitFor(async () => remote.requests.length === 1, 20_000);
    expect(await worker.stop('SIGKILL')).toBeNull();
    return started;
  };

  /**
   * Runs the agent's next task to its end (its slot, still leased to the cancelled task, is given back), then
   * waits for the cancelled task's one attempt to end cancelled. A worker killed during a reconciler pass leaves
   * the pass's lock behind for 30 s: the wait allows for it.
   */
  const expectSlotFreeAndClosed = async (taskId: string, agentId: string, worker: RunningProcess): Promise<void> => {
    const next = await submitTask(api, op, { agentId, input: { n: 2 } });
    expect(await settled(api, op, next.id, 20_000)).toEqual(
      expect.objectContaining({ status: 'succeeded', output: { n: 2 } }),
    );
    expect(remote.requests).toHaveLength(2);
    const [attempt, ...more] = await waitFor(
      async () => {
        const attempts = await attemptsOf(taskId);
        return attempts[0]?.status !== 'running' && attempts;
      },
      45_000,
      200,
    );
    expect(more).toEqual([]);
    expect(attempt).toEqual(
      expect.objectContaining({
        attempt: 1,
        status: 'cancelled',
        finishedAt: expect.any(String),
        error: { code: 'CANCELLED', message: 'Cancelled' },
      }),
    );
    expect(await worker.stop('SIGTERM')).toBe(0);
  };

  const cancelTask = async (taskId: string) => {
    const res = await request(api.http)
      .post(`/api/v1/tasks/${taskId}/cancel`)
      .set(...bearer(op));
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('cancelled');
  };

  it('is closed as cancelled once Redis was wiped, and the agent runs its next task', async () => {
    const agent = await slowAgent();
    const task = await killedMidCall(() => submitTask(api, op, { agentId: agent.id, input: { n: 1 } }));
    await wipe('');
    await cancelTask(task.id);
    const worker = await workers.start();
    await expectSlotFreeAndClosed(task.id, agent.id, worker);
  }, 120_000);

  it('gives its slot back once its worker stays gone, and is closed, when only the job was lost, the slot lease kept', async () => {
    const agent = await slowAgent();
    const task = await killedMidCall(() => submitTask(api, op, { agentId: agent.id, input: { n: 1 } }));
    // The queue's keys go (its master lost them), the agent's slot lease stays.
    await wipe('bull:');
    expect(await redis.zcard(`${bed.env.config.redis.prefix}:agent-slots:${agent.id}`)).toBe(1);
    await cancelTask(task.id);
    const worker = await workers.start();
    await expectSlotFreeAndClosed(task.id, agent.id, worker);
  }, 120_000);

  it("of a workflow run's step is closed once the run is cancelled", async () => {
    const agent = await slowAgent();
    const workflowId = await createWorkflow(api, op, { steps: [{ id: 'call', agentId: agent.id, input: { n: 1 } }] });
    const run = await killedMidCall(() => startRun(api, op, workflowId));
    const taskId = await waitFor(async () => {
      const res = await request(api.http)
        .get(`/api/v1/workflow-runs/${run.id}`)
        .set(...bearer(op));
      return (res.body.data as RunView).steps[0].taskId ?? undefined;
    }, 10_000);
    await wipe('');
    const cancelled = await request(api.http)
      .post(`/api/v1/workflow-runs/${run.id}/cancel`)
      .set(...bearer(op));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    const task = await request(api.http)
      .get(`/api/v1/tasks/${taskId}`)
      .set(...bearer(op));
    expect(task.body.data.status).toBe('cancelled');
    const worker = await workers.start();
    await expectSlotFreeAndClosed(taskId, agent.id, worker);
  }, 120_000);
});
