import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { BulkQueue } from '../src/bulk/bulk-queue';
import { operationEnded } from './factories/bulk-operations';
import { createAgent, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

type Kind = 'tasks' | 'workflow-runs';
type Action = 'retry' | 'cancel';

/** The statuses each action applies to, as the API reference says: the same rules as one item's retry and cancel. */
const APPLICABLE: Record<Kind, Record<Action, string[]>> = {
  tasks: { retry: ['failed', 'cancelled', 'expired'], cancel: ['queued', 'running', 'retrying'] },
  'workflow-runs': { retry: ['failed', 'cancelled'], cancel: ['running'] },
};
/** The schema of each kind's bulk filter in the API's OpenAPI document. */
const FILTER_SCHEMA: Record<Kind, string> = { tasks: 'BulkTaskFilterDto', 'workflow-runs': 'BulkRunFilterDto' };

/**
 * A bulk operation acts on the list's matches: for every filter field a bulk request takes, a dry run counts
 * exactly what the list of the same kind shows for that field alone (over the statuses the action applies
 * to), on data where the field really narrows. The fields are read from the API's own document, so a field
 * the bulk filter gains is tested here or this test fails.
 */
describe('bulk operations: the filter is the list filter', () => {
  let t: TestApp;
  let op: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let agentA: string;
  let agentB: string;
  let failing: string;
  let waiting: string;
  let mid: string;

  const bulk = (user: TestUser, kind: Kind, body: object) =>
    request(t.http)
      .post(`/api/v1/${kind}/bulk`)
      .set(...bearer(user))
      .send(body);
  const listTotal = async (user: TestUser, kind: Kind, query: Record<string, unknown>): Promise<number> => {
    const { metadata, ...rest } = query as { metadata?: Record<string, string> };
    const params: Record<string, unknown> = { ...rest, limit: 1 };
    for (const [key, value] of Object.entries(metadata ?? {})) params[`metadata[${key}]`] = value;
    const res = await request(t.http)
      .get(`/api/v1/${kind}`)
      .query(params)
      .set(...bearer(user))
      .expect(200);
    return res.body.meta.total as number;
  };
  /** Of the tasks a list shows (all of them here, under 100), those of a workflow run: a retry leaves them out. */
  const listedStepTasks = async (user: TestUser, query: Record<string, unknown>): Promise<number> => {
    const { metadata, ...rest } = query as { metadata?: Record<string, string> };
    const params: Record<string, unknown> = { ...rest, limit: 100 };
    for (const [key, value] of Object.entries(metadata ?? {})) params[`metadata[${key}]`] = value;
    const res = await request(t.http)
      .get('/api/v1/tasks')
      .query(params)
      .set(...bearer(user))
      .expect(200);
    expect(res.body.meta.total).toBeLessThan(100);
    return (res.body.data as { runId: string | null }[]).filter((task) => task.runId !== null).length;
  };
  const startTagged = async (user: TestUser, workflowId: string, tags: string[] = []) => {
    const res = await request(t.http)
      .post(`/api/v1/workflows/${workflowId}/runs`)
      .set(...bearer(user))
      .send({ input: {}, tags })
      .expect(202);
    return res.body.data.id as string;
  };
  const runStatus = async (id: string) =>
    ((await t.dataSource.query(`SELECT status FROM workflow_runs WHERE id = $1`, [id])) as { status: string }[])[0]
      .status;
  const runEnded = (id: string) => waitFor(async () => (await runStatus(id)) !== 'running' && runStatus(id), 20_000);
  const cancelRun = (user: TestUser, id: string) =>
    request(t.http)
      .post(`/api/v1/workflow-runs/${id}/cancel`)
      .set(...bearer(user))
      .expect(200);
  const later = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    other = await createUser(t, 'operator');
    admin = await createUser(t, 'admin');
    agentA = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    agentB = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    const agentC = (await createAgent(t, other, { type: 'calculator' })).id;
    failing = await createWorkflow(t, op, { steps: [{ id: 'a', agentId: agentA, input: { expression: '1 / 0' } }] });
    waiting = await createWorkflow(t, op, { steps: [{ id: 'pause', kind: 'wait', durationMs: 3_600_000 }] });
    const theirs = await createWorkflow(t, other, {
      steps: [{ id: 'a', agentId: agentC, input: { expression: '1 / 0' } }],
    });

    // Before `mid`: two failed tasks of A tagged and marked, one of B failing otherwise, one queued of A tagged,
    // one cancelled of B; runs: two failed tagged, one running tagged, one cancelled.
    const tasks: string[] = [];
    const task = async (user: TestUser, body: Record<string, unknown>) => {
      const made = await submitTask(t, user, { maxAttempts: 1, ...body });
      tasks.push(made.id);
      return made.id;
    };
    const runs: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      await task(op, { agentId: agentA, input: { expression: '1 / 0' }, tags: ['tf-x'], metadata: { team: 'red' } });
      runs.push(await startTagged(op, failing, ['rf-x']));
    }
    await task(op, { agentId: agentB, input: { expression: 'nope + 1' } });
    await task(op, { agentId: agentA, input: { expression: '2 + 2' }, tags: ['tf-x'], runAt: later() });
    const toCancel = await task(op, { agentId: agentB, input: { expression: '2 + 2' }, runAt: later() });
    await request(t.http)
      .post(`/api/v1/tasks/${toCancel}/cancel`)
      .set(...bearer(op))
      .expect(200);
    await startTagged(op, waiting, ['rf-x']);
    await cancelRun(op, await startTagged(op, waiting));

    await sleep(20);
    mid = ((await t.dataSource.query(`SELECT clock_timestamp() AS now`)) as { now: Date }[])[0].now.toISOString();
    await sleep(20);

    // After `mid`: a failed task of A, a queued one of B marked, a succeeded one; a failed run and a running one;
    // the other operator's failed task and run, tagged as the operator's.
    await task(op, { agentId: agentA, input: { expression: '1 / 0' } });
    await task(op, { agentId: agentB, input: { expression: '2 + 2' }, runAt: later(), metadata: { team: 'red' } });
    await task(op, { agentId: agentA, input: { expression: '1 + 1' } });
    await task(other, { agentId: agentC, input: { expression: '1 / 0' }, tags: ['tf-x'] });
    runs.push(await startTagged(op, failing));
    await startTagged(op, waiting);
    runs.push(await startTagged(other, theirs, ['rf-x']));

    for (const id of tasks) await waitFor(async () => (await settledOrWaiting(id)) && true, 20_000);
    for (const id of runs) await runEnded(id);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A task that ran to its end, or waits for its `runAt` (queued, never taken before the test ends). */
  const settledOrWaiting = async (id: string) => {
    const [row] = (await t.dataSource.query(`SELECT status, run_at AS "runAt" FROM tasks WHERE id = $1`, [id])) as {
      status: string;
      runAt: Date | null;
    }[];
    return ['succeeded', 'failed', 'cancelled'].includes(row.status) || (row.status === 'queued' && row.runAt);
  };

  /** Each field's value for a filter of that field alone (`status`: by action). */
  const cases = (): Record<Kind, Record<string, unknown>> => ({
    tasks: {
      status: { retry: 'failed', cancel: 'queued' },
      agentId: agentA,
      errorCode: 'DIVISION_BY_ZERO',
      tag: 'tf-x',
      metadata: { team: 'red' },
      createdAfter: mid,
      createdBefore: mid,
    },
    'workflow-runs': {
      status: { retry: 'failed', cancel: 'running' },
      workflowId: failing,
      tag: 'rf-x',
      createdAfter: mid,
      createdBefore: mid,
    },
  });

  for (const kind of ['tasks', 'workflow-runs'] as const) {
    it(`counts on a dry run of ${kind} exactly what the list shows, field by field, for an admin and an operator`, async () => {
      const doc = (await request(t.http).get('/docs-json').expect(200)).body as {
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      const fields = Object.keys(doc.components.schemas[FILTER_SCHEMA[kind]].properties).sort();
      const values = cases()[kind];
      // A filter field without a case here would go untested: the test names it.
      expect(Object.keys(values).sort()).toEqual(fields);

      for (const user of [admin, op]) {
        for (const field of fields) {
          let narrowed = false;
          for (const action of ['retry', 'cancel'] as const) {
            const value = field === 'status' ? (values.status as Record<Action, string>)[action] : values[field];
            const dry = await bulk(user, kind, {
              action,
              filter: { [field]: value },
              dryRun: true,
              ...(field === 'status' ? { all: true } : {}),
            }).expect(200);
            let listed = 0;
            let unfiltered = 0;
            for (const status of APPLICABLE[kind][action]) {
              unfiltered += await listTotal(user, kind, { status });
              const query = field === 'status' ? { status } : { [field]: value, status };
              if (field !== 'status' || status === value) {
                listed += await listTotal(user, kind, query);
                // A run's step task is retried with its run, never alone (as its own retry answers).
                if (kind === 'tasks' && action === 'retry') listed -= await listedStepTasks(user, query);
              }
            }
            expect({ field, action, matched: dry.body.data.matched }).toEqual({ field, action, matched: listed });
            if (listed > 0 && listed < unfiltered) narrowed = true;
          }
          // The data gives the field something to leave out: a bulk filter that dropped it would count more.
          expect({ field, narrowed }).toEqual({ field, narrowed: true });
        }
      }
    });
  }

  it("cancels and retries only the tagged runs, however many other runs an admin's filter could reach", async () => {
    const tagged: string[] = [];
    for (let i = 0; i < 3; i += 1) tagged.push(await startTagged(op, waiting, ['author-bulkrun']));
    const running = (await t.dataSource.query(
      `SELECT id FROM workflow_runs WHERE status = 'running' AND NOT (tags @> ARRAY['author-bulkrun']::varchar[])`,
    )) as { id: string }[];
    expect(running.length).toBeGreaterThan(0);

    const dry = await bulk(admin, 'workflow-runs', {
      action: 'cancel',
      filter: { tag: 'author-bulkrun' },
      dryRun: true,
    }).expect(200);
    expect(dry.body.data.matched).toBe(3);
    const cancel = await bulk(admin, 'workflow-runs', { action: 'cancel', filter: { tag: 'author-bulkrun' } }).expect(
      202,
    );
    expect(await operationEnded(t, admin, cancel.body.data.id)).toMatchObject({
      status: 'succeeded',
      matched: 3,
      done: 3,
      failed: 0,
    });
    for (const id of tagged) expect(await runStatus(id)).toBe('cancelled');
    for (const { id } of running) expect(await runStatus(id)).toBe('running');

    const untouched = (await t.dataSource.query(
      `SELECT id, status, updated_at AS "updatedAt" FROM workflow_runs
        WHERE status IN ('failed', 'cancelled') AND NOT (tags @> ARRAY['author-bulkrun']::varchar[]) ORDER BY id`,
    )) as { id: string; status: string; updatedAt: Date }[];
    expect(untouched.length).toBeGreaterThan(0);
    const retry = await bulk(admin, 'workflow-runs', { action: 'retry', filter: { tag: 'author-bulkrun' } }).expect(
      202,
    );
    expect(await operationEnded(t, admin, retry.body.data.id)).toMatchObject({
      status: 'succeeded',
      matched: 3,
      done: 3,
    });
    for (const id of tagged) expect(await runStatus(id)).toBe('running');
    // Every other failed or cancelled run, the other operator's included, is as it was.
    const after = (await t.dataSource.query(
      `SELECT id, status, updated_at AS "updatedAt" FROM workflow_runs WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [untouched.map((r) => r.id)],
    )) as { id: string; status: string; updatedAt: Date }[];
    expect(after).toEqual(untouched);
  });

  it('acts on the runs that came to match after it was created, and says so coherently', async () => {
    const grown: string[] = [];
    for (let i = 0; i < 5; i += 1) grown.push(await startTagged(op, waiting, ['grown']));
    for (const id of grown.slice(0, 3)) await cancelRun(op, id);
    const queue = t.app.get(BulkQueue).queue;
    await queue.pause();
    let id: string;
    try {
      const res = await bulk(op, 'workflow-runs', { action: 'cancel', filter: { tag: 'grown' } }).expect(202);
      id = res.body.data.id as string;
      expect(res.body.data.matched).toBe(2);
      // Retried while the operation waits: running again, so matching its filter when their batch comes.
      for (const runId of grown.slice(0, 3))
        await request(t.http)
          .post(`/api/v1/workflow-runs/${runId}/retry`)
          .set(...bearer(op))
          .expect(202);
    } finally {
      await queue.resume();
    }
    const ended = await operationEnded(t, op, id);
    expect(ended).toMatchObject({ status: 'succeeded', matched: 2, done: 5, failed: 0, progress: 1 });
    for (const runId of grown) expect(await runStatus(runId)).toBe('cancelled');
  });
});
