import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { buildApp, workerProcesses } from './utils/built-app';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const TASKS = 3000;

describe('a worker killed in the middle of a bulk retry', () => {
  const env = new TestEnv({
    APP_ROLE: 'api',
    QUEUE_LOCK_DURATION_MS: '2000',
    QUEUE_RECONCILE_INTERVAL_MS: '1000',
    BULK_BATCH_SIZE: '10',
  });
  const workers = workerProcesses(env, { BULK_BATCH_SIZE: '10', QUEUE_RECONCILE_INTERVAL_MS: '1000' });
  let api: TestApp;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    buildApp();
    await env.prepare();
    api = await createTestApp({ shared: env });
    op = await createUser(api, 'operator');
    agentId = (await createAgent(api, op, { type: 'calculator', concurrency: 10 })).id;
    // The build (as `npm start` runs it) takes minutes on a busy machine.
  }, 300_000);
  afterAll(async () => {
    await workers.killAll();
    await api?.close();
    await env.destroy();
  });

  /** Failed tasks written straight to Postgres, as a long outage would leave them. */
  const seedFailed = (tag: string, n: number) =>
    api.dataSource.query(
      `INSERT INTO tasks (agent_id, status, input, error, attempts, max_attempts, priority, backoff_ms, tags,
                          created_by, finished_at)
       SELECT $1, 'failed', '{"expression": "1 / 0"}', '{"code": "DIVISION_BY_ZERO", "message": "Division by zero"}',
              1, 1, 5, 1000, ARRAY[$2]::varchar[], $3, now()
         FROM generate_series(1, $4)`,
      [agentId, tag, op.id, n],
    );
  const operation = async (id: string) =>
    (
      (await api.dataSource.query(`SELECT status, matched, done, failed, cursor FROM bulk_operations WHERE id = $1`, [
        id,
      ])) as { status: string; matched: number; done: number; failed: number; cursor: string | null }[]
    )[0];

  it('resumes from its cursor on another worker and retries no task twice', async () => {
    await seedFailed('crash', TASKS);
    const first = await workers.start();
    const created = await request(api.http)
      .post('/api/v1/tasks/bulk')
      .set(...bearer(op))
      .send({ action: 'retry', filter: { tag: 'crash', errorCode: 'DIVISION_BY_ZERO' } })
      .expect(202);
    const id = created.body.data.id as string;
    expect(created.body.data.matched).toBe(TASKS);
    await waitFor(async () => (await operation(id)).done >= 200, 60_000, 5);
    expect(await first.stop('SIGKILL')).toBeNull();
    const cut = await operation(id);
    expect(cut.status).toBe('running');
    expect(cut.done).toBeLessThan(TASKS);
    expect(cut.cursor).not.toBeNull();

    await workers.start();
    const done = await waitFor(async () => {
      const now = await operation(id);
      return now.status === 'succeeded' && now;
    }, 90_000);
    expect(done).toMatchObject({ matched: TASKS, done: TASKS, failed: 0 });
    // Retried once each: a second retry would have moved the run's start (attempt_offset) past the first run.
    const [counts] = (await api.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE attempt_offset = 1)::int AS "retriedOnce",
              count(*) FILTER (WHERE attempt_offset > 1)::int AS "retriedTwice"
         FROM tasks WHERE 'crash' = ANY(tags)`,
    )) as { total: number; retriedOnce: number; retriedTwice: number }[];
    expect(counts).toEqual({ total: TASKS, retriedOnce: TASKS, retriedTwice: 0 });
    // And every one of them ran again, exactly once (the task reconciler queues what the killed worker had
    // committed but not yet queued).
    await waitFor(async () => {
      const [{ ran }] = (await api.dataSource.query(
        `SELECT count(DISTINCT a.task_id)::int AS ran FROM task_attempts a JOIN tasks t ON t.id = a.task_id
          WHERE 'crash' = ANY(t.tags)`,
      )) as { ran: number }[];
      return ran === TASKS;
    }, 120_000);
    const [{ twice }] = (await api.dataSource.query(
      `SELECT count(*)::int AS twice FROM (SELECT a.task_id FROM task_attempts a JOIN tasks t ON t.id = a.task_id
          WHERE 'crash' = ANY(t.tags) GROUP BY a.task_id HAVING count(*) > 1) x`,
    )) as { twice: number }[];
    expect(twice).toBe(0);
    await api.chainAudit();
    const entries = (await api.dataSource.query(
      `SELECT action, details FROM audit_logs WHERE resource_id = $1 ORDER BY seq`,
      [id],
    )) as { action: string; details: Record<string, unknown> }[];
    expect(entries.map((e) => e.action)).toEqual(['bulk_operation.create', 'bulk_operation.finish']);
    expect(entries[1].details).toMatchObject({ matched: TASKS, done: TASKS, failed: 0 });
  }, 300_000);

  it('queues again an operation whose job Redis lost', async () => {
    await seedFailed('lost', 20);
    // As if Redis had lost the job: the operation is stored, nothing in the queue.
    const [{ id }] = (await api.dataSource.query(
      `INSERT INTO bulk_operations (kind, action, filter, status, matched, snapshot_at, created_by, updated_at)
       VALUES ('tasks', 'retry', $1, 'queued', 20, now(), $2, now() - interval '1 minute') RETURNING id`,
      [JSON.stringify({ tag: 'lost', createdBy: op.id }), op.id],
    )) as { id: string }[];
    const done = await waitFor(async () => {
      const now = await operation(id);
      return now.status === 'succeeded' && now;
    }, 60_000);
    expect(done).toMatchObject({ matched: 20, done: 20, failed: 0 });
  }, 120_000);
});
