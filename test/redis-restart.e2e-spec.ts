import request from 'supertest';
import { TaskQueue } from '../src/tasks/task-queue';
import { TaskReconciler } from '../src/tasks/task-reconciler';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { OwnRedis } from './utils/own-redis';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('Redis restarted empty', () => {
  const redis = new OwnRedis();
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    await redis.start();
    env = new TestEnv({ REDIS_URL: redis.url, QUEUE_RECONCILE_INTERVAL_MS: '60000' });
    await env.prepare();
    t = await createTestApp({ shared: env });
  });
  afterAll(async () => {
    await t?.close();
    await redis.stopEmpty();
    await env?.destroy();
  });

  it('loses the queue, and the reconciler puts back every task Postgres says is queued; each runs once', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const tasks = await Promise.all(
      [1, 2, 3].map((n) => submitTask(t, op, { agentId: agent.id, input: { expression: `${n} * 10` } })),
    );

    await redis.stopEmpty();
    await redis.start();
    const reconciler = t.app.get(TaskReconciler);
    // A task written within the settle window is not taken for lost yet: on a busy machine the three
    // submissions may straddle it, so passes are counted until all three are back (or the wait ends).
    let requeued = 0;
    await waitFor(
      async () => {
        requeued += await reconciler.reconcileOnce();
        return requeued >= 3 ? requeued : undefined;
      },
      20_000,
      250,
    ).catch(() => undefined);
    expect(requeued).toBe(3);
    expect(await reconciler.reconcileOnce()).toBe(0);

    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    const done = await Promise.all(tasks.map((task) => settled(t, op, task.id, 20_000)));
    expect(done.map((d) => d.output)).toEqual([{ result: 10 }, { result: 20 }, { result: 30 }]);
    const attempts = await t.dataSource.query(
      `SELECT task_id, count(*)::int AS n FROM task_attempts WHERE task_id = ANY($1) GROUP BY task_id`,
      [tasks.map((x) => x.id)],
    );
    expect(attempts.map((a: { n: number }) => a.n)).toEqual([1, 1, 1]);
  }, 60_000);

  it('takes a task written a moment ago for one still on its way to the queue, not for a lost one', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '6 * 7' } });
    const queue = t.app.get(TaskQueue).queue;
    // The job goes: a worker holding it (the paused agent's task is looked at, then delayed) refuses removal.
    await waitFor(
      async () => {
        await queue.remove(task.id);
        return (await queue.getJob(task.id)) === undefined ? true : undefined;
      },
      15_000,
      50,
    );
    const reconciler = t.app.get(TaskReconciler);

    // Written just now: its writer may not have queued it yet.
    await t.dataSource.query(`UPDATE tasks SET updated_at = now() WHERE id = $1`, [task.id]);
    expect(await reconciler.reconcileOnce()).toBe(0);
    expect(await queue.getJob(task.id)).toBeUndefined();

    // Written a minute ago and still not in the queue: lost, and queued again.
    await t.dataSource.query(`UPDATE tasks SET updated_at = now() - interval '1 minute' WHERE id = $1`, [task.id]);
    expect(await reconciler.reconcileOnce()).toBe(1);
    expect(await queue.getJob(task.id)).toBeDefined();
  }, 30_000);
});
