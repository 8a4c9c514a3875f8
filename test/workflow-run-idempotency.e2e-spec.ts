import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';

/** Starting a run with `Idempotency-Key`: as submitting a task with one. */
describe('starting a workflow run with an Idempotency-Key', () => {
  let t: TestApp;
  let op: TestUser;
  let workflowId: string;
  let otherWorkflowId: string;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const steps = [{ id: 'a', agentId: calc, input: { expression: '1+1' } }];
    workflowId = await createWorkflow(t, op, { steps });
    otherWorkflowId = await createWorkflow(t, op, { steps });
  });
  afterAll(async () => {
    await t?.close();
  });

  const startRun = (body?: object, key?: string, user = op, workflow = workflowId) => {
    const req = request(t.http)
      .post(`/api/v1/workflows/${workflow}/runs`)
      .set(...bearer(user));
    if (key !== undefined) req.set('Idempotency-Key', key);
    return body === undefined ? req : req.send(body);
  };
  const runsWithKey = async (key: string): Promise<number> =>
    (
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_runs WHERE idempotency_key = $1`, [key])) as {
        n: number;
      }[]
    )[0].n;

  it('returns the same run for the same key and body (200), 422 for another body or workflow', async () => {
    const body = { input: { b: 1.5, a: [1, { z: 'x', y: null }] }, tags: ['nightly', 'acme'] };
    const first = await startRun(body, 'run-key-1').expect(202);
    // The same body, its keys in another order: the same request.
    const again = await startRun(
      { tags: ['nightly', 'acme'], input: { a: [1, { y: null, z: 'x' }], b: 1.5 } },
      'run-key-1',
    ).expect(200);
    expect(again.body.data).toMatchObject({ id: first.body.data.id, workflowId, input: body.input });

    for (const other of [{ ...body, input: { b: 2 } }, { ...body, tags: ['acme', 'nightly'] }, { input: body.input }]) {
      const refused = await startRun(other, 'run-key-1').expect(422);
      expect(refused.body.error).toMatchObject({
        code: 'IDEMPOTENCY_CONFLICT',
        message: 'This Idempotency-Key was used with a different request body',
      });
    }
    // The key names a run of one workflow: another workflow is another request.
    const elsewhere = await startRun(body, 'run-key-1', op, otherWorkflowId).expect(422);
    expect(elsewhere.body.error).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      message: 'This Idempotency-Key was used with another workflow',
    });
    expect(await runsWithKey('run-key-1')).toBe(1);

    // Keys belong to their user.
    const someoneElse = await createUser(t, 'operator');
    const theirs = await startRun(body, 'run-key-1', someoneElse).expect(202);
    expect(theirs.body.data.id).not.toBe(first.body.data.id);

    // One run, one `workflow.run` entry: a replay starts nothing and records nothing (under the run's id or
    // any other); each refused one records its refusal.
    await t.chainAudit();
    const entries = (await t.dataSource.query(
      `SELECT outcome, resource_id AS "resourceId" FROM audit_logs WHERE action = 'workflow.run' AND actor_id = $1`,
      [op.id],
    )) as { outcome: string; resourceId: string | null }[];
    expect(entries.filter((e) => e.outcome === 'success')).toEqual([
      { outcome: 'success', resourceId: first.body.data.id },
    ]);
    expect(entries.filter((e) => e.outcome === 'failure')).toHaveLength(4);
  });

  it('takes no body, an empty one and a null input as the same start: no input ({}), no tags', async () => {
    const first = await startRun(undefined, 'run-key-empty').expect(202);
    expect(first.body.data.input).toEqual({});
    expect((await startRun({}, 'run-key-empty').expect(200)).body.data.id).toBe(first.body.data.id);
    expect((await startRun({ input: null }, 'run-key-empty').expect(200)).body.data.id).toBe(first.body.data.id);
    expect((await startRun({ input: {}, tags: [] }, 'run-key-empty').expect(200)).body.data.id).toBe(
      first.body.data.id,
    );
    await startRun({ input: { n: 1 } }, 'run-key-empty').expect(422);
  });

  it('releases a key after 24 h, as a task’s: the same key then starts a new run, whatever its body', async () => {
    const first = await startRun({ input: { n: 1 } }, 'run-key-old').expect(202);
    // Used 23 h ago: it still names its run.
    await t.dataSource.query(`UPDATE workflow_runs SET created_at = now() - interval '23 hours' WHERE id = $1`, [
      first.body.data.id,
    ]);
    expect((await startRun({ input: { n: 1 } }, 'run-key-old').expect(200)).body.data.id).toBe(first.body.data.id);
    // Used 25 h ago: it names nothing; the new run takes it, the old run is kept without it.
    await t.dataSource.query(`UPDATE workflow_runs SET created_at = now() - interval '25 hours' WHERE id = $1`, [
      first.body.data.id,
    ]);
    const second = await startRun({ input: { n: 2 } }, 'run-key-old').expect(202);
    expect(second.body.data.id).not.toBe(first.body.data.id);
    expect(await runsWithKey('run-key-old')).toBe(1);
    expect((await startRun({ input: { n: 2 } }, 'run-key-old').expect(200)).body.data.id).toBe(second.body.data.id);
    await request(t.http)
      .get(`/api/v1/workflow-runs/${first.body.data.id}`)
      .set(...bearer(op))
      .expect(200);
  });

  it('starts a new run each time without a key', async () => {
    const [a, b] = [await startRun({}).expect(202), await startRun({}).expect(202)];
    expect(a.body.data.id).not.toBe(b.body.data.id);
  });

  it('checks the key as task submission does, and starts nothing for a refused one', async () => {
    for (const key of ['has space', 'k'.repeat(256), 'naïve']) {
      const refused = await startRun({}, key).expect(400);
      expect(refused.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      });
    }
    // The keys of the platform's own starts (a schedule's fire, a hook's delivery, a trigger) are not a client's.
    for (const key of [
      'schedule:00000000-0000-4000-8000-000000000000:2030-01-01T00:00:00.000Z',
      'hook:x:1',
      'trigger:y',
    ]) {
      const taken = await startRun({}, key).expect(400);
      expect(taken.body.error.details).toEqual([
        {
          field: 'Idempotency-Key',
          message: 'must not begin with schedule:, hook:, trigger:, batch: (kept for the platform)',
        },
      ]);
      expect(await runsWithKey(key)).toBe(0);
    }
  });

  it('makes one run of 20 identical requests sent at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => startRun({ input: { n: 42 } }, 'run-key-concurrent')),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    expect(await runsWithKey('run-key-concurrent')).toBe(1);
  });

  it("answers a retry with the run it started even once a new run would be refused (a step's agent or the workflow deleted)", async () => {
    const agent = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflow = await createWorkflow(t, op, { steps: [{ id: 'a', agentId: agent, input: { expression: '1' } }] });
    const body = { input: { n: 1 } };
    const first = await startRun(body, 'run-key-gone', op, workflow).expect(202);
    await request(t.http)
      .delete(`/api/v1/agents/${agent}`)
      .set(...bearer(op))
      .expect(204);
    expect((await startRun(body, 'run-key-gone', op, workflow).expect(200)).body.data.id).toBe(first.body.data.id);
    expect((await startRun({ input: { n: 2 } }, 'run-key-gone', op, workflow).expect(422)).body.error.code).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await startRun(body, 'run-key-gone-new', op, workflow).expect(409)).body.error.code).toBe('CONFLICT');
    await request(t.http)
      .delete(`/api/v1/workflows/${workflow}`)
      .set(...bearer(op))
      .expect(204);
    expect((await startRun(body, 'run-key-gone', op, workflow).expect(200)).body.data.id).toBe(first.body.data.id);
    await startRun(body, 'run-key-gone-new', op, workflow).expect(404);
    expect(await runsWithKey('run-key-gone')).toBe(1);
  });
});
