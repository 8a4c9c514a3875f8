import { Client } from 'pg';
import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, startRun } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * Requests sent together on a pool of four connections: whoever holds a row's lock (a run's, a schedule's) or a
 * transaction of its own reads what it needs in that transaction, never waiting for a second connection, which
 * those waiting for the lock (or in transactions of their own) hold. Otherwise all of them wait for the pool's
 * timeout, and answer 503.
 */
describe('requests sent together on a small pool', () => {
  let t: TestApp;
  let op: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { DB_POOL_MAX: '4' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
  });

  const cancel = (runId: string) =>
    request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/cancel`)
      .set(...bearer(op));

  /**
   * Holds `table`'s row `id` from outside the pool while `send` sends twelve requests, until all four of the
   * pool's connections wait for it; their answers' statuses, sorted.
   */
  const queuedOnLock = async (table: string, id: string, send: () => request.Test): Promise<number[]> => {
    const holder = new Client({ connectionString: t.env.config.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
      const answers = Promise.all(Array.from({ length: 12 }, () => send().then()));
      await waitFor(async () => {
        const { rows } = await holder.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n === 4;
      }, 10_000);
      await holder.query('COMMIT');
      return (await answers).map((a) => a.status).sort();
    } finally {
      await holder.end();
    }
  };

  it('retries once when twelve retries queue on the run’s lock with a pool of four: one 202, the others 409', async () => {
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await createWorkflow(t, op, {
      name: 'gate then sum',
      steps: [
        { id: 'gate', kind: 'approval' },
        { id: 'sum', agentId: calc, input: { expression: '1 + 1' }, dependsOn: ['gate'] },
      ],
    });
    const { id: runId } = await startRun(t, op, workflowId);
    await cancel(runId).expect(200);
    const statuses = await queuedOnLock('workflow_runs', runId, () =>
      request(t.http)
        .post(`/api/v1/workflow-runs/${runId}/retry`)
        .set(...bearer(op)),
    );
    expect(statuses).toEqual([202, ...Array<number>(11).fill(409)]);
  });

  it('starts twelve runs sent together on a pool of four just after their agent changed: every one 202', async () => {
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await createWorkflow(t, op, {
      name: 'sum',
      steps: [{ id: 'sum', agentId: calc, input: { expression: '2 + 2' } }],
    });
    // The change drops the agent from every cache: each run's transaction, holding its run, reads it again.
    await request(t.http)
      .patch(`/api/v1/agents/${calc}`)
      .set(...bearer(op))
      .send({ description: 'changed' })
      .expect(200);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(t.http)
          .post(`/api/v1/workflows/${workflowId}/runs`)
          .set(...bearer(op))
          .send({}),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array<number>(12).fill(202));
  });

  it('changes a schedule twelve times when twelve changes of its target queue on its lock', async () => {
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await createWorkflow(t, op, {
      name: 'scheduled',
      steps: [{ id: 'sum', agentId: calc, input: { expression: '3 + 3' } }],
    });
    const created = await request(t.http)
      .post('/api/v1/schedules')
      .set(...bearer(op))
      .send({ name: 'nightly', target: { agentId: calc, input: { expression: '1' } }, everyMs: 3_600_000 })
      .expect(201);
    const scheduleId = created.body.data.id as string;
    // A workflow target is read to be checked, under the schedule's lock.
    const statuses = await queuedOnLock('schedules', scheduleId, () =>
      request(t.http)
        .patch(`/api/v1/schedules/${scheduleId}`)
        .set(...bearer(op))
        .send({ target: { workflowId, input: {} } }),
    );
    expect(statuses).toEqual(Array<number>(12).fill(200));
  });
});
