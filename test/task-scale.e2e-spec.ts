import request from 'supertest';
import { TaskRetention } from '../src/tasks/task-retention';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/** Tasks written straight into Postgres, as a year of them would be there: `sql` the SELECT's value columns. */
async function seedTasks(t: TestApp, count: number, values: string, params: unknown[]): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO tasks (agent_id, status, input, max_attempts, priority, backoff_ms, created_by, created_at,
                        finished_at, tags, run_id, attempts)
     SELECT ${values} FROM generate_series(1, ${count}) g`,
    params,
  );
}

describe('tasks at scale', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminId: string;

  beforeAll(async () => {
    // An api process: the purge's schedule runs on workers, so this test alone decides when a pass runs.
    t = await createTestApp({
      env: { APP_ROLE: 'api', TASK_RETENTION_DAYS: '30', TASK_RETENTION_BATCH_SIZE: '2', TASK_RETENTION_PAUSE_MS: '0' },
    });
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    [{ id: adminId }] = await t.dataSource.query(`SELECT id FROM users WHERE email = $1`, [ADMIN.email]);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the list’s bounded total', () => {
    let agentId: string;
    let other: string;
    const list = async (user: TestUser, query: string) =>
      (
        await request(t.http)
          .get(`/api/v1/tasks?${query}`)
          .set(...bearer(user))
          .expect(200)
      ).body;

    beforeAll(async () => {
      agentId = (await createAgent(t, admin, { type: 'calculator' })).id;
      other = (await createAgent(t, admin, { type: 'calculator' })).id;
      // 10,000 succeeded tasks of one agent, an hour apart back from now; 30 failed ones tagged `night` of another.
      await seedTasks(
        t,
        10_000,
        `$1::uuid, 'succeeded', '{}', 3, 5, 1000, $2::uuid, now() - g * interval '1 minute', now(), '{}', NULL, 1`,
        [agentId, adminId],
      );
      await seedTasks(
        t,
        30,
        `$1::uuid, 'failed', '{}', 3, 5, 1000, $2::uuid, now() - g * interval '1 minute', now(), '{night}', NULL, 1`,
        [other, adminId],
      );
    });

    it('caps the count past 10,000 matches and says so', async () => {
      const page = await list(admin, 'limit=5');
      expect(page.data).toHaveLength(5);
      expect(page.meta).toMatchObject({ total: 10_000, totalCapped: true, skip: 0, limit: 5 });
    });

    it('is exact, and says so, up to 10,000 matches included', async () => {
      expect((await list(admin, `agentId=${agentId}&limit=1`)).meta).toMatchObject({
        total: 10_000,
        totalCapped: false,
      });
      expect((await list(admin, 'status=failed&tag=night&limit=10')).meta).toMatchObject({
        total: 30,
        totalCapped: false,
      });
    });

    it('counts what every filter together keeps: status, agent, time range and tag', async () => {
      const after = new Date(Date.now() - 10.5 * 60_000).toISOString();
      const page = await list(
        admin,
        `status=failed&agentId=${other}&tag=night&createdAfter=${encodeURIComponent(after)}&limit=3`,
      );
      expect(page.meta).toMatchObject({ total: 10, totalCapped: false });
      expect(page.data).toHaveLength(3);
      expect((await list(admin, `status=failed&agentId=${agentId}`)).meta).toMatchObject({ total: 0 });
      const past = new Date(Date.now() - 9000.5 * 60_000).toISOString();
      expect((await list(admin, `createdBefore=${encodeURIComponent(past)}&limit=1`)).meta).toMatchObject({
        total: 1000,
        totalCapped: false,
      });
    });

    it('pages a tag’s matches newest first from one scan up to the cap, and past it from the page alone', async () => {
      const newest = async (where: string, skip: number, limit: number): Promise<string[]> =>
        (
          (await t.dataSource.query(
            `SELECT id FROM tasks WHERE ${where} ORDER BY created_at DESC, id DESC OFFSET ${skip} LIMIT ${limit}`,
          )) as { id: string }[]
        ).map((r) => r.id);
      const ids = (page: { data: { id: string }[] }) => page.data.map((task) => task.id);

      const few = await list(admin, 'status=failed&tag=night&skip=5&limit=3');
      expect(few.meta).toMatchObject({ total: 30, totalCapped: false, skip: 5, limit: 3 });
      expect(ids(few)).toEqual(await newest(`status = 'failed'`, 5, 3));
      expect((await list(admin, 'tag=night&skip=29&limit=5')).data).toHaveLength(1);
      expect((await list(admin, 'tag=night&skip=30&limit=5')).data).toHaveLength(0);

      try {
        await t.dataSource.query(`UPDATE tasks SET tags = '{day}' WHERE status = 'succeeded'`);
        const all = await list(admin, 'tag=day&skip=9990&limit=20');
        expect(all.meta).toMatchObject({ total: 10_000, totalCapped: false });
        expect(ids(all)).toEqual(await newest(`status = 'succeeded'`, 9990, 20));

        await t.dataSource.query(`UPDATE tasks SET tags = '{day,night}' WHERE status = 'failed'`);
        const more = await list(admin, 'tag=day&skip=20&limit=20');
        expect(more.meta).toMatchObject({ total: 10_000, totalCapped: true });
        expect(ids(more)).toEqual(await newest('true', 20, 20));
      } finally {
        await t.dataSource.query(`UPDATE tasks SET tags = '{}' WHERE status = 'succeeded'`);
        await t.dataSource.query(`UPDATE tasks SET tags = '{night}' WHERE status = 'failed'`);
      }
    });

    it('counts a caller’s own tasks only', async () => {
      const viewer = await createUser(t, 'viewer');
      expect((await list(viewer, 'limit=5')).meta).toMatchObject({ total: 0, totalCapped: false });
    });

    it('pages on past the cap', async () => {
      const page = await list(admin, `agentId=${agentId}&skip=9990&limit=50`);
      expect(page.data).toHaveLength(10);
    });

    afterAll(async () => {
      await t.dataSource.query(`DELETE FROM tasks`);
    });
  });

  describe('the retention purge (TASK_RETENTION_DAYS)', () => {
    let agentId: string;
    let runningRun: string;
    let endedRun: string;
    const ids = async (): Promise<Record<string, number>> => {
      const rows: { label: string; n: number }[] = await t.dataSource.query(
        `SELECT input->>'label' AS label, count(*)::int AS n FROM tasks GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.label, r.n]));
    };
    /** The tag rows left, by tag: each task is tagged with its label. */
    const tagged = async (): Promise<Record<string, number>> => {
      const rows: { tag: string; n: number }[] = await t.dataSource.query(
        `SELECT tag, count(*)::int AS n FROM task_tags GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.tag, r.n]));
    };

    beforeAll(async () => {
      agentId = (await createAgent(t, admin, { type: 'calculator' })).id;
      const [{ id: workflowId }] = await t.dataSource.query(
        `INSERT INTO workflows (name, steps, created_by) VALUES ('w', '[]', $1) RETURNING id`,
        [adminId],
      );
      const run = async (status: string): Promise<string> =>
        (
          await t.dataSource.query(
            `INSERT INTO workflow_runs (workflow_id, workflow_version, definition, status, input, created_by)
             VALUES ($1, 1, '[]', $2, '{}', $3) RETURNING id`,
            [workflowId, status, adminId],
          )
        )[0].id;
      runningRun = await run('running');
      endedRun = await run('succeeded');
      const task = (label: string, status: string, finishedDaysAgo: number | null, runId: string | null = null) =>
        t.dataSource.query(
          `INSERT INTO tasks (agent_id, status, input, max_attempts, priority, backoff_ms, created_by, created_at,
                              finished_at, run_id, attempts, tags)
           VALUES ($1, $2, jsonb_build_object('label', $3::text), 3, 5, 1000, $4, now() - interval '90 days',
                   now() - $5::int * interval '1 day', $6, 1, ARRAY[$3::varchar]) RETURNING id`,
          [agentId, status, label, adminId, finishedDaysAgo, runId],
        );
      for (const status of ['succeeded', 'failed', 'cancelled', 'expired', 'succeeded']) {
        const [{ id }] = await task('old', status, 40);
        await t.dataSource.query(
          `INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at, worker_id)
           VALUES ($1, 1, 'succeeded', now() - interval '41 days', now() - interval '40 days', 'w')`,
          [id],
        );
        await t.dataSource.query(`INSERT INTO task_checkpoint_parts (task_id, seq, part) VALUES ($1, 1, '{}')`, [id]);
      }
      await task('recent', 'succeeded', 29);
      await task('queued', 'queued', null);
      await task('running', 'running', null);
      await task('retrying', 'retrying', null);
      await task('of-running-run', 'succeeded', 40, runningRun);
      await task('of-ended-run', 'succeeded', 40, endedRun);
    });

    it('deletes only finished tasks past the retention, with their attempts, parts and tags, in batches', async () => {
      expect((await tagged()).old).toBe(5);
      const pass = await t.app.get(TaskRetention).run();
      // 6 tasks go (5 old, 1 of an ended run), 2 a batch: 3 full batches and an empty one.
      expect(pass).toMatchObject({ purged: 6, batches: 4 });
      const left = { recent: 1, queued: 1, running: 1, retrying: 1, 'of-running-run': 1 };
      expect(await ids()).toEqual(left);
      expect(await tagged()).toEqual(left);
      const [{ attempts, parts }] = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM task_attempts) AS attempts,
                (SELECT count(*)::int FROM task_checkpoint_parts) AS parts`,
      );
      expect({ attempts, parts }).toEqual({ attempts: 0, parts: 0 });
      await t.chainAudit();
      const audit: { n: number; sum: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n, sum((details->>'count')::int)::int AS sum FROM audit_logs
          WHERE action = 'task.purge' AND actor_type = 'system'`,
      );
      expect(audit).toEqual([{ n: 3, sum: 6 }]);
    });

    it('does nothing more when run again, and takes a run’s tasks once the run has ended', async () => {
      expect(await t.app.get(TaskRetention).run()).toMatchObject({ purged: 0, batches: 1 });
      await t.dataSource.query(`UPDATE workflow_runs SET status = 'failed' WHERE id = $1`, [runningRun]);
      expect(await t.app.get(TaskRetention).run()).toMatchObject({ purged: 1 });
      expect(await ids()).toEqual({ recent: 1, queued: 1, running: 1, retrying: 1 });
    });
  });
});
