import request from 'supertest';
import { operationEnded, type OperationView } from './factories/bulk-operations';
import { createAgent, settled, submitTask } from './factories/tasks';
import { createWorkflow, startRun } from './factories/workflows';
import { bearer, createUser, type TestUser } from './factories/users';
import { json, LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface RunView {
  id: string;
  status: string;
  steps: { id: string; status: string; taskId: string | null; output: unknown }[];
}

describe('bulk operations', () => {
  let t: TestApp;
  let op: TestUser;
  let other: TestUser;
  let viewer: TestUser;
  let admin: TestUser;
  let calc: string;
  let flaky: string;
  const remote = new LoopbackServer();
  let flakyCalls = 0;

  beforeAll(async () => {
    const url = await remote.start();
    // Refuses its first call (a 4xx fails the step at once), answers every later one.
    remote.handler = (req, res) => {
      flakyCalls += 1;
      const body = JSON.parse(req.body) as { input: { value: number } };
      if (flakyCalls === 1) json(res, 400, { error: 'not yet' });
      else json(res, 200, { value: body.input.value + 1 });
    };
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', BULK_BATCH_SIZE: '10' } });
    op = await createUser(t, 'operator');
    other = await createUser(t, 'operator');
    viewer = await createUser(t, 'viewer');
    admin = await createUser(t, 'admin');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    flaky = (await createAgent(t, op, { type: 'http', config: { url: `${url}/flaky` } })).id;
  });
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });

  const bulk = (user: TestUser, body: object, kind = 'tasks') =>
    request(t.http)
      .post(`/api/v1/${kind}/bulk`)
      .set(...bearer(user))
      .send(body);
  const finished = (user: TestUser, id: string) => operationEnded(t, user, id);
  const rows = async (ids: string[]) =>
    (await t.dataSource.query(
      `SELECT t.id, t.status, t.attempts, (SELECT count(*)::int FROM task_attempts a WHERE a.task_id = t.id) AS runs
         FROM tasks t WHERE t.id = ANY($1::uuid[]) ORDER BY t.id`,
      [ids],
    )) as { id: string; status: string; attempts: number; runs: number }[];
  const submitMany = async (n: number, body: object) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) ids.push((await submitTask(t, op, { agentId: calc, ...body })).id);
    return ids;
  };

  let failing: string[];
  let elsewhere: string[];
  let fine: string[];

  beforeAll(async () => {
    failing = await submitMany(25, { input: { expression: '1 / 0' }, maxAttempts: 1, tags: ['nightly'] });
    elsewhere = await submitMany(3, { input: { expression: '1 / 0' }, maxAttempts: 1, tags: ['hourly'] });
    fine = await submitMany(2, { input: { expression: '1 + 1' }, tags: ['nightly'] });
    for (const id of [...failing, ...elsewhere, ...fine]) await settled(t, op, id);
  }, 60_000);

  it('lists the dead letters by error code, tag and time', async () => {
    const res = await request(t.http)
      .get('/api/v1/tasks')
      .query({ status: 'failed', errorCode: 'DIVISION_BY_ZERO', tag: 'nightly', createdAfter: '2000-01-01T00:00:00Z' })
      .set(...bearer(op))
      .expect(200);
    expect(res.body.meta.total).toBe(25);
    const none = await request(t.http)
      .get('/api/v1/tasks')
      .query({ errorCode: 'TIMEOUT' })
      .set(...bearer(op))
      .expect(200);
    expect(none.body.meta.total).toBe(0);
  });

  it('counts on a dry run and changes nothing', async () => {
    const res = await bulk(op, {
      action: 'retry',
      filter: { errorCode: 'DIVISION_BY_ZERO', tag: 'nightly' },
      dryRun: true,
    }).expect(200);
    expect(res.body.data).toEqual({ matched: 25 });
    expect((await rows(failing)).every((r) => r.status === 'failed' && r.attempts === 1)).toBe(true);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM bulk_operations`);
    expect(n).toBe(0);
  });

  it('retries exactly the failed tasks it matched, in batches, and they run again', async () => {
    const res = await bulk(op, { action: 'retry', filter: { errorCode: 'DIVISION_BY_ZERO', tag: 'nightly' } }).expect(
      202,
    );
    const created = res.body.data as OperationView;
    expect(created).toMatchObject({ kind: 'tasks', action: 'retry', matched: 25, createdBy: op.id });
    expect(created.filter).toMatchObject({ errorCode: 'DIVISION_BY_ZERO', tag: 'nightly', createdBy: op.id });
    const done = await finished(op, created.id);
    expect(done).toMatchObject({ status: 'succeeded', matched: 25, done: 25, failed: 0, progress: 1 });
    expect(done.finishedAt).not.toBeNull();
    // Each retried task ran once more (and failed again); the others were left alone.
    const after = await waitFor(async () => {
      const r = await rows(failing);
      return r.every((x) => x.status === 'failed' && x.runs === 2) && r;
    }, 30_000);
    expect(after.every((r) => r.attempts === 2)).toBe(true);
    expect((await rows(elsewhere)).every((r) => r.runs === 1 && r.status === 'failed')).toBe(true);
    expect((await rows(fine)).every((r) => r.runs === 1 && r.status === 'succeeded')).toBe(true);

    await t.chainAudit();
    const entries = (await t.dataSource.query(
      `SELECT action, actor_type AS "actorType", actor_id AS "actorId", details FROM audit_logs
        WHERE resource_id = $1 ORDER BY seq`,
      [created.id],
    )) as { action: string; actorType: string; actorId: string | null; details: Record<string, unknown> }[];
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'bulk_operation.create',
        actorType: 'user',
        actorId: op.id,
        details: expect.objectContaining({ kind: 'tasks', action: 'retry', matched: 25 }),
      }),
      expect.objectContaining({
        action: 'bulk_operation.finish',
        actorType: 'system',
        details: expect.objectContaining({ status: 'succeeded', matched: 25, done: 25, failed: 0 }),
      }),
    ]);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'task.retry' AND resource_id = ANY($1)`,
      [failing],
    );
    expect(n).toBe(0);
  });

  it("does not run a deleted agent's tasks again: they count as not retried", async () => {
    const doomed = (await createAgent(t, op, { type: 'calculator' })).id;
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        (await submitTask(t, op, { agentId: doomed, input: { expression: '1 / 0' }, maxAttempts: 1, tags: ['doomed'] }))
          .id,
      );
    }
    const kept = (
      await submitTask(t, op, { agentId: calc, input: { expression: '1 / 0' }, maxAttempts: 1, tags: ['doomed'] })
    ).id;
    for (const id of [...ids, kept]) await settled(t, op, id);
    await request(t.http)
      .delete(`/api/v1/agents/${doomed}`)
      .set(...bearer(op))
      .expect(204);

    const res = await bulk(op, { action: 'retry', filter: { tag: 'doomed' } }).expect(202);
    expect(res.body.data.matched).toBe(4);
    expect(await finished(op, res.body.data.id)).toMatchObject({ status: 'succeeded', done: 1, failed: 3 });
    expect((await waitFor(async () => (await rows([kept])).find((r) => r.runs === 2), 30_000)).status).toBe('failed');
    // Left as they were: failed after their one run, never queued again.
    expect((await rows(ids)).map((r) => [r.status, r.runs])).toEqual(ids.map(() => ['failed', 1]));
  });

  it('cancels the tasks not final yet, and leaves final ones', async () => {
    const later = await submitMany(4, {
      input: { expression: '2 + 2' },
      tags: ['later'],
      runAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const dry = await bulk(op, { action: 'cancel', filter: { tag: 'later' }, dryRun: true }).expect(200);
    expect(dry.body.data.matched).toBe(4);
    const res = await bulk(op, { action: 'cancel', filter: { tag: 'later' } }).expect(202);
    expect(await finished(op, res.body.data.id)).toMatchObject({ status: 'succeeded', matched: 4, done: 4 });
    expect((await rows(later)).map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const again = await bulk(op, { action: 'cancel', filter: { tag: 'later' }, dryRun: true }).expect(200);
    expect(again.body.data.matched).toBe(0);
  });

  it('shows an operation to its creator and admins only, and lists them', async () => {
    const res = await bulk(op, { action: 'retry', filter: { tag: 'hourly' } }).expect(202);
    const id = res.body.data.id as string;
    await finished(op, id);
    await request(t.http)
      .get(`/api/v1/bulk-operations/${id}`)
      .set(...bearer(other))
      .expect(404);
    await request(t.http)
      .get(`/api/v1/bulk-operations/${id}`)
      .set(...bearer(admin))
      .expect(200);
    const mine = await request(t.http)
      .get('/api/v1/bulk-operations')
      .set(...bearer(op))
      .expect(200);
    expect(mine.body.data.map((o: OperationView) => o.id)).toContain(id);
    const theirs = await request(t.http)
      .get('/api/v1/bulk-operations')
      .set(...bearer(other))
      .expect(200);
    expect(theirs.body.meta.total).toBe(0);
    // Another operator's operation reaches only their own tasks: none.
    const dry = await bulk(other, { action: 'retry', filter: { tag: 'hourly' }, dryRun: true }).expect(200);
    expect(dry.body.data.matched).toBe(0);
  });

  it('refuses viewers, and bad or unsafe requests with a 4xx and nothing stored', async () => {
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM bulk_operations`))[0].n as number;
    const denied = await bulk(viewer, { action: 'retry', filter: { tag: 'nightly' } }).expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    await bulk(viewer, { action: 'retry', filter: { status: 'failed' }, all: true }, 'workflow-runs').expect(403);

    const bad = async (body: object, field?: string) => {
      const res = await bulk(op, body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    };
    await bad({ action: 'explode', filter: { tag: 'nightly' } });
    await bad({ action: 'retry' });
    await bad({ action: 'retry', filter: { tag: 'nightly', colour: 'red' } });
    await bad({ action: 'retry', filter: { agentId: 'not-a-uuid' } });
    await bad({ action: 'cancel', filter: {} }, '/all');
    await bad({ action: 'cancel', filter: { status: 'queued' } }, '/all');
    await bad({ action: 'retry', filter: { status: 'succeeded', tag: 'nightly' } }, '/filter/status');
    await bad({ action: 'cancel', filter: { status: 'failed', tag: 'nightly' } }, '/filter/status');
    await bad(
      { action: 'retry', filter: { createdAfter: '2030-01-01T00:00:00Z', createdBefore: '2020-01-01T00:00:00Z' } },
      '/filter/createdBefore',
    );
    const after = (await t.dataSource.query(`SELECT count(*)::int AS n FROM bulk_operations`))[0].n as number;
    expect(after).toBe(before);
    // `all: true` makes a status-only filter acceptable.
    const everything = await bulk(op, { action: 'cancel', filter: { status: 'queued' }, all: true, dryRun: true });
    expect(everything.status).toBe(200);
    await request(t.http)
      .get(`/api/v1/bulk-operations/00000000-0000-4000-8000-000000000000`)
      .set(...bearer(op))
      .expect(404);
  });

  describe('workflow runs', () => {
    const startChain = async () => {
      const workflowId = await createWorkflow(t, op, {
        steps: [
          { id: 'a', agentId: calc, input: { expression: 'x * 2', variables: { x: '{{ input.x }}' } } },
          { id: 'b', agentId: flaky, input: { value: '{{ steps.a.output.result }}' }, dependsOn: ['a'] },
          { id: 'c', agentId: calc, input: { expression: '1' }, dependsOn: ['b'] },
        ],
      });
      const run = await startRun<RunView>(t, op, workflowId, { x: 21 });
      return { workflowId, runId: run.id };
    };
    const runOf = (id: string) =>
      request(t.http)
        .get(`/api/v1/workflow-runs/${id}`)
        .set(...bearer(op))
        .then((r) => r.body.data as RunView);
    const concluded = (id: string) => waitFor(async () => (await runOf(id)).status !== 'running' && runOf(id), 30_000);

    it('retries a run from its failed step, keeping the outputs of the steps that succeeded', async () => {
      flakyCalls = 0;
      const { runId, workflowId } = await startChain();
      const failed = await concluded(runId);
      expect(failed.status).toBe('failed');
      expect(failed.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
      const listed = await request(t.http)
        .get('/api/v1/workflow-runs')
        .query({ status: 'failed', workflowId })
        .set(...bearer(op))
        .expect(200);
      expect(listed.body.data.map((r: RunView) => r.id)).toEqual([runId]);

      const retried = await request(t.http)
        .post(`/api/v1/workflow-runs/${runId}/retry`)
        .set(...bearer(op))
        .expect(202);
      expect(retried.body.data.status).toBe('running');
      const done = await concluded(runId);
      expect(done.status).toBe('succeeded');
      const [a, b, c] = done.steps;
      expect(a).toEqual(failed.steps[0]);
      expect(b.taskId).not.toBe(failed.steps[1].taskId);
      expect(b.output).toEqual({ value: 43 });
      expect(c.status).toBe('succeeded');
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM task_attempts WHERE task_id = $1`, [
        a.taskId,
      ]);
      expect(n).toBe(1);
      const again = await request(t.http)
        .post(`/api/v1/workflow-runs/${runId}/retry`)
        .set(...bearer(op))
        .expect(409);
      expect(again.body.error.code).toBe('INVALID_STATE');
      await request(t.http)
        .post(`/api/v1/workflow-runs/${runId}/retry`)
        .set(...bearer(other))
        .expect(404);
    });

    it('retries the failed runs a filter matches in bulk', async () => {
      flakyCalls = 0;
      const { runId, workflowId } = await startChain();
      expect((await concluded(runId)).status).toBe('failed');
      const dry = await bulk(op, { action: 'retry', filter: { workflowId }, dryRun: true }, 'workflow-runs').expect(
        200,
      );
      expect(dry.body.data.matched).toBe(1);
      const res = await bulk(op, { action: 'retry', filter: { workflowId, status: 'failed' } }, 'workflow-runs').expect(
        202,
      );
      expect(await finished(op, res.body.data.id)).toMatchObject({
        kind: 'workflow-runs',
        status: 'succeeded',
        matched: 1,
        done: 1,
      });
      expect((await concluded(runId)).status).toBe('succeeded');
    });

    it('cancels the running runs a filter matches in bulk, audited as the operation alone', async () => {
      const workflow = {
        id: await createWorkflow(t, op, {
          steps: [
            { id: 'pause', kind: 'wait', durationMs: 3_600_000 },
            { id: 'after', agentId: calc, input: { expression: '1' }, dependsOn: ['pause'] },
          ],
        }),
      };
      const runIds: string[] = [];
      for (let i = 0; i < 3; i += 1) runIds.push((await startRun(t, op, workflow.id, {})).id);
      const res = await bulk(op, { action: 'cancel', filter: { workflowId: workflow.id } }, 'workflow-runs').expect(
        202,
      );
      const created = res.body.data as OperationView;
      expect(created.matched).toBe(3);
      expect(await finished(op, created.id)).toMatchObject({ status: 'succeeded', matched: 3, done: 3, failed: 0 });
      for (const id of runIds) {
        const run = await runOf(id);
        expect(run.status).toBe('cancelled');
        expect(run.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
      }
      await t.chainAudit();
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'workflow_run.cancel' AND resource_id = ANY($1)`,
        [runIds],
      );
      expect(n).toBe(0);
      const entries = (await t.dataSource.query(
        `SELECT action, details FROM audit_logs WHERE resource_id = $1 ORDER BY seq`,
        [created.id],
      )) as { action: string; details: Record<string, unknown> }[];
      expect(entries.map((e) => e.action)).toEqual(['bulk_operation.create', 'bulk_operation.finish']);
      expect(entries[1].details).toMatchObject({ kind: 'workflow-runs', action: 'cancel', done: 3 });
    });
  });
});
