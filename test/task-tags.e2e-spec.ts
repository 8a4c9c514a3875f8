import { Client } from 'pg';
import request from 'supertest';
import { TaskTagRows1764188000000 } from '../migrations/1764188000000-task-tag-rows';
import { TaskTagsGoneByStatement1764189000000 } from '../migrations/1764189000000-task-tags-gone-by-statement';
import { createAgent, submitTask } from './factories/tasks';
import { createWorkflow } from './factories/workflows';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { revertThrough } from './utils/migrations';
import { waitFor } from './utils/wait-for';

/** The ids a list of tasks answers, sorted. */
async function listed(t: TestApp, user: TestUser, query: string): Promise<string[]> {
  const res = await request(t.http)
    .get(`/api/v1/tasks?limit=100&${query}`)
    .set(...bearer(user))
    .expect(200);
  return (res.body.data as { id: string }[]).map((task) => task.id).sort();
}

/** `task_tags` as stored, each row against its task's own agent and creation time. */
async function tagRows(t: TestApp): Promise<{ tag: string; task: string; same: boolean }[]> {
  return t.dataSource.query(
    `SELECT tt.tag, tt.task_id::text AS task, (tt.agent_id = x.agent_id AND tt.created_at = x.created_at) AS same
       FROM task_tags tt JOIN tasks x ON x.id = tt.task_id ORDER BY 2, 1`,
  );
}

describe('a tag with an agent (task_tags)', () => {
  const env = new TestEnv();
  beforeAll(async () => {
    await env.prepare();
  });
  afterAll(async () => {
    await env.destroy();
  });

  it('is written by every way a task is stored, read by the list, and goes with the task', async () => {
    const t = await createTestApp({ shared: env });
    try {
      const op = await createUser(t, 'operator');
      const agent = (await createAgent(t, op, { type: 'calculator' })).id;
      const other = (await createAgent(t, op, { type: 'calculator' })).id;
      const input = { expression: '1' };
      const one = await submitTask(t, op, { agentId: agent, input, tags: ['nightly', 'acme'] });
      const keyed = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Idempotency-Key', 'tagged-once')
        .send({ agentId: agent, input, tags: ['nightly'] })
        .expect(202);
      const batch = await request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({
          tasks: [
            { agentId: agent, input, tags: ['nightly'] },
            { agentId: other, input, tags: ['nightly'] },
          ],
        })
        .expect(202);
      const [inBatch, ofOther] = batch.body.data as { id: string }[];
      await submitTask(t, op, { agentId: agent, input });
      const workflowId = await createWorkflow(t, op, { steps: [{ id: 'only', agentId: agent, input }] });
      await request(t.http)
        .post(`/api/v1/workflows/${workflowId}/runs`)
        .set(...bearer(op))
        .send({ input: {}, tags: ['nightly'] })
        .expect(202);
      const step = await waitFor(async () => {
        const [row] = (await t.dataSource.query(`SELECT id::text FROM tasks WHERE run_id IS NOT NULL`)) as {
          id: string;
        }[];
        return row?.id;
      }, 10_000);
      const nightly = [one.id, keyed.body.data.id as string, inBatch.id, step].sort();

      expect(await listed(t, op, `tag=nightly&agentId=${agent}`)).toEqual(nightly);
      expect(await listed(t, op, `tag=nightly`)).toEqual([...nightly, ofOther.id].sort());
      expect(await listed(t, op, `tag=acme&agentId=${agent}`)).toEqual([one.id]);
      expect(await listed(t, op, `tag=acme&agentId=${other}`)).toEqual([]);
      // The time range is the task's creation time, as stored beside the tag.
      const [{ at }] = (await t.dataSource.query(`SELECT created_at AS at FROM tasks WHERE id = $1`, [one.id])) as {
        at: Date;
      }[];
      const around = (ms: number) => encodeURIComponent(new Date(at.getTime() + ms).toISOString());
      expect(await listed(t, op, `tag=acme&agentId=${agent}&createdAfter=${around(0)}`)).toEqual([one.id]);
      expect(await listed(t, op, `tag=acme&agentId=${agent}&createdAfter=${around(1)}`)).toEqual([]);
      expect(await listed(t, op, `tag=acme&agentId=${agent}&createdBefore=${around(-1)}`)).toEqual([]);
      const rows = await tagRows(t);
      expect(rows).toHaveLength(nightly.length + 2);
      expect(rows.every((r) => r.same)).toBe(true);

      // Tasks deleted (the retention purge: many in one statement, tagged or not) take their rows with them.
      const untagged = (await submitTask(t, op, { agentId: agent, input })).id;
      await t.dataSource.query(`DELETE FROM tasks WHERE id = ANY($1::uuid[])`, [[ofOther.id, one.id, untagged]]);
      const left = (await t.dataSource.query(`SELECT task_id::text AS task FROM task_tags ORDER BY 1`)) as {
        task: string;
      }[];
      expect(left.map((r) => r.task)).toEqual(nightly.filter((id) => id !== one.id));
    } finally {
      await t.close();
    }
  }, 60_000);

  it('is filled on upgrade from the tasks already stored, and its migration reverts', async () => {
    const t = await createTestApp({ shared: env });
    const before = (await tagRows(t)).map((r) => `${r.task}:${r.tag}`);
    await t.close();
    expect(before.length).toBeGreaterThan(0);
    await revertThrough(env, TaskTagRows1764188000000);
    const db = new Client({ connectionString: env.config.database.url });
    await db.connect();
    try {
      const gone = await db.query(`SELECT to_regclass('task_tags') AS t, to_regproc('task_tag_rows') AS f`);
      expect(gone.rows).toEqual([{ t: null, f: null }]);
    } finally {
      await db.end();
    }
    await env.prepare();
    const again = await createTestApp({ shared: env });
    try {
      const after = await tagRows(again);
      expect(after.map((r) => `${r.task}:${r.tag}`)).toEqual(before);
      expect(after.every((r) => r.same)).toBe(true);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('went by a foreign key before the statement trigger, and comes back to it on revert', async () => {
    const db = new Client({ connectionString: env.config.database.url });
    await db.connect();
    const shape = async () =>
      (
        await db.query(
          `SELECT (SELECT count(*)::int FROM pg_constraint WHERE conname = 'task_tags_task_fk') AS keys,
                  (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'tasks_tag_rows_gone') AS triggers`,
        )
      ).rows[0] as { keys: number; triggers: number };
    try {
      expect(await shape()).toEqual({ keys: 0, triggers: 1 });
      const [{ id: agentId }] = (await db.query(`SELECT agent_id AS id FROM tasks LIMIT 1`)).rows as { id: string }[];
      // A row whose task is gone (written by hand: the platform never writes one) is dropped by the revert.
      await db.query(
        `INSERT INTO task_tags (task_id, tag, agent_id, created_at) VALUES (gen_random_uuid(), 'stray', $1, now())`,
        [agentId],
      );
      const kept = (await db.query(`SELECT count(*)::int AS n FROM task_tags WHERE tag <> 'stray'`)).rows[0] as {
        n: number;
      };
      expect(kept.n).toBeGreaterThan(0);
      await revertThrough(env, TaskTagsGoneByStatement1764189000000);
      expect(await shape()).toEqual({ keys: 1, triggers: 0 });
      expect((await db.query(`SELECT count(*)::int AS n FROM task_tags`)).rows[0]).toEqual(kept);
      await env.prepare();
      expect(await shape()).toEqual({ keys: 0, triggers: 1 });
    } finally {
      await db.end();
    }
  }, 60_000);
});
