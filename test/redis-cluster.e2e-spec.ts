import request from 'supertest';
import { QUEUE_NAMES } from '../src/jobs/queues';
import { RedisConnectionFactory } from '../src/redis/redis-connection.factory';
import { createAgent, FINAL, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, login, type TestUser } from './factories/users';
import { buildApp, processEnv, type RunningProcess, startProcess } from './utils/built-app';
import { json, LoopbackServer } from './utils/loopback-server';
import { OwnRedisCluster } from './utils/own-redis-cluster';
import { readSse } from './utils/sse';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** How long the remote agent takes to answer: long enough for tasks to be running when a master dies. */
const REMOTE_DELAY_MS = 300;

describe('on a Redis Cluster of 3 masters and 3 replicas', () => {
  const cluster = new OwnRedisCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
  const remote = new LoopbackServer();
  let t: TestApp;
  let worker: RunningProcess | undefined;
  let op: TestUser;
  let calc: string;
  let slow: string;
  let remoteUrl: string;
  let inFlightKeyed = 0;
  let peakKeyed = 0;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    remote.handler = (req, res) => {
      const keyedCall = req.url === '/keyed';
      if (keyedCall) peakKeyed = Math.max(peakKeyed, ++inFlightKeyed);
      setTimeout(() => {
        if (keyedCall) inFlightKeyed -= 1;
        json(res, 200, { echoed: (JSON.parse(req.body) as { input: unknown }).input });
      }, REMOTE_DELAY_MS);
    };
    await cluster.start();
    buildApp();
    const shared = {
      REDIS_CLUSTER_NODES: cluster.nodeList,
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
      WORKER_CONCURRENCY: '8',
      // A job whose worker lost its lock in the failover is picked up again soon; the queue is checked
      // against Postgres often.
      QUEUE_LOCK_DURATION_MS: '5000',
      QUEUE_RECONCILE_INTERVAL_MS: '2000',
    };
    // The API here, the worker in a process of its own, as deployed: the worker is the one that meets the failover.
    t = await createTestApp({
      env: { ...shared, APP_ROLE: 'api', RATE_LIMIT_LOGIN_PER_MIN: '5', TRUST_PROXY: 'true' },
    });
    worker = startProcess(processEnv(t.env, { ...shared, APP_ROLE: 'worker' }));
    await worker.waitFor(/task worker (\S+) started/, 90_000);
    op = await login(t.http, ADMIN.email, ADMIN.password);
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 8 })).id;
    slow = (await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/slow` }, concurrency: 8 })).id;
    // Six servers, a cluster and an app boot: generous for a busy machine.
  }, 180_000);
  afterAll(async () => {
    try {
      await worker?.stop('SIGKILL');
      await t?.close();
    } finally {
      await cluster.stop();
      await remote.stop();
    }
  }, 60_000);

  it('keeps the queues under one hash-tagged prefix', () => {
    const { queuePrefix } = t.app.get(RedisConnectionFactory);
    expect(queuePrefix).toBe(`{${t.env.config.redis.prefix}:bull}`);
  });

  it('counts every queue in one pipeline, their keys sharing that slot', async () => {
    const metrics = (await request(t.http).get('/metrics').expect(200)).text;
    for (const queue of QUEUE_NAMES) {
      expect(metrics).toMatch(new RegExp(`^queue_jobs\\{queue="${queue}",state="failed"\\} \\d+$`, 'm'));
    }
    const info = await request(t.http)
      .get('/api/v1/system/info')
      .set(...bearer(op))
      .expect(200);
    expect(Object.keys(info.body.data.queues).sort()).toEqual([...QUEUE_NAMES].sort());
  });

  it('runs tasks through the worker, concurrency keys included, and reports itself healthy', async () => {
    const plain = await submitTask(t, op, { agentId: calc, input: { expression: '6 * 7' } });
    // One at a time per key: the key's lease set and parked set are touched by one script, so share a slot.
    const keyedAgent = await createAgent(t, op, {
      type: 'http',
      config: { url: `${remoteUrl}/keyed` },
      concurrency: 4,
      concurrencyPerKey: 1,
    });
    const keyed = await Promise.all(
      [1, 2, 3].map((n) => submitTask(t, op, { agentId: keyedAgent.id, input: { n }, concurrencyKey: 'customer-a' })),
    );
    expect(await settled(t, op, plain.id)).toMatchObject({ status: 'succeeded', output: { result: 42 } });
    for (const task of keyed) expect((await settled(t, op, task.id)).status).toBe('succeeded');
    expect(peakKeyed).toBe(1);
    const health = await request(t.http).get('/health');
    expect(health.status).toBe(200);
    expect(health.body.details.redis.status).toBe('up');
  });

  it('runs a workflow', async () => {
    const wf = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'on a cluster',
        steps: [
          { id: 'a', agentId: calc, input: { expression: 'x * 2', variables: { x: '{{ input.x }}' } } },
          { id: 'b', agentId: slow, input: { value: '{{ steps.a.output.result }}' }, dependsOn: ['a'] },
        ],
      })
      .expect(201);
    const run = await request(t.http)
      .post(`/api/v1/workflows/${wf.body.data.id}/runs`)
      .set(...bearer(op))
      .send({ input: { x: 21 } })
      .expect(202);
    const done = await waitFor(async () => {
      const res = await request(t.http)
        .get(`/api/v1/workflow-runs/${run.body.data.id}`)
        .set(...bearer(op));
      return res.body.data.status !== 'running' ? res.body.data : undefined;
    }, 20_000);
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ b: { echoed: { value: 42 } } });
  });

  it('counts rate limits exactly, for clients whose counters live on different nodes', async () => {
    const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
    const burst = await Promise.all(
      ips.flatMap((ip) =>
        Array.from({ length: 7 }, () =>
          request(t.http)
            .post('/api/v1/auth/login')
            .set('X-Forwarded-For', ip)
            .send({ email: 'x@y.z', password: 'wrong-password' })
            .then((res) => [ip, res.status] as const),
        ),
      ),
    );
    for (const ip of ips) {
      const statuses = burst.filter(([from]) => from === ip).map(([, status]) => status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    }
  });

  it('streams a running task’s changes live (SSE over the cluster’s pub/sub)', async () => {
    const task = await submitTask(t, op, { agentId: slow, input: { live: true } });
    const { events } = await readSse(t.http, `/api/v1/tasks/${task.id}/events`, bearer(op));
    expect(events.map((e) => e.data.status)).toContain('running');
    expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded', output: { echoed: { live: true } } });
  });

  /**
   * An agent whose slot leases (`agent-slots:<id>`) live on the master that holds the queues: the master that
   * dies below. The releases sent while it is away, or not replicated before it died, are lost; the leases they
   * should have removed are given back by the stale-lease check, or the agent would run nothing until they expire.
   */
  async function agentOnMaster(master: number): Promise<string> {
    for (let tries = 0; tries < 30; tries++) {
      const { id } = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/slow` }, concurrency: 8 });
      if ((await cluster.masterOf(`${t.env.config.redis.prefix}:agent-slots:${id}`)) === master) return id;
    }
    throw new Error(`no agent's slots landed on master ${master}`);
  }

  it('loses no task when the master holding the queues dies mid-run: its replica takes over', async () => {
    const queueKey = `${t.app.get(RedisConnectionFactory).queuePrefix}:tasks:wait`;
    const queueMaster = await cluster.masterOf(queueKey);
    const agentId = await agentOnMaster(queueMaster);
    const submit = (n: number) =>
      request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId, input: { n } });
    const calledBefore = remote.requests.length;
    const before = await Promise.all(Array.from({ length: 60 }, (_, n) => submit(n)));
    expect(before.every((res) => res.status === 202)).toBe(true);
    // Some are running (at the remote agent), the rest wait in the queue.
    await waitFor(async () => remote.requests.length > calledBefore);

    await cluster.kill(queueMaster);
    // Mid-run: some of them had not reached the agent yet.
    expect(remote.requests.length - calledBefore).toBeLessThan(before.length);
    // Submissions while the cluster elects a new master: accepted, or refused with a 503 to retry.
    const during = await Promise.all(Array.from({ length: 10 }, (_, n) => submit(100 + n)));
    expect(during.every((res) => res.status === 202 || res.status === 503)).toBe(true);
    await cluster.waitHealthy();
    expect(await cluster.masterOf(queueKey)).not.toBe(queueMaster);
    const after = await Promise.all(Array.from({ length: 10 }, (_, n) => submit(200 + n)));
    expect(after.every((res) => res.status === 202)).toBe(true);

    // Every task Postgres holds for the agent reaches a final state: none is left queued or running.
    let last: unknown;
    const counts = await waitFor(async () => {
      const rows: { status: string; n: number }[] = await t.dataSource.query(
        `SELECT status, count(*)::int AS n FROM tasks WHERE agent_id = $1 GROUP BY status`,
        [agentId],
      );
      last = rows;
      return rows.every((r) => FINAL.includes(r.status)) ? rows : undefined;
    }, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; tasks ${JSON.stringify(last)}; worker:\n${worker?.output().slice(-4000)}`);
    });
    const accepted = [...before, ...during, ...after]
      .filter((res) => res.status === 202)
      .map((res) => res.body.data.id);
    const stored: { id: string; status: string }[] = await t.dataSource.query(
      `SELECT id, status FROM tasks WHERE id = ANY($1)`,
      [accepted],
    );
    expect(stored).toHaveLength(accepted.length);
    expect(stored.filter((s) => s.status !== 'succeeded')).toEqual([]);
    expect(counts).toEqual([{ status: 'succeeded', n: accepted.length }]);
    // Each reached its end once: one succeeded attempt per task, none left running (an attempt whose worker lost
    // the job's lock in the failover may have been taken over; the takeover keeps its attempt number).
    const attempts: { succeeded: number; running: number }[] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
                count(*) FILTER (WHERE status = 'running')::int AS running
           FROM task_attempts WHERE task_id = ANY($1) GROUP BY task_id`,
      [accepted],
    );
    expect(attempts).toHaveLength(accepted.length);
    expect(attempts.filter((a) => a.succeeded !== 1 || a.running !== 0)).toEqual([]);

    // The operator brings the dead node back: it rejoins as a replica, and the cluster is whole again.
    await cluster.restart(queueMaster);
    await cluster.waitHealthy();
    const task = await submitTask(t, op, { agentId: calc, input: { expression: '1 + 1' } });
    expect(await settled(t, op, task.id)).toMatchObject({ status: 'succeeded', output: { result: 2 } });
  }, 150_000);
});
