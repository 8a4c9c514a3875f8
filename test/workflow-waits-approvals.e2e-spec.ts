import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { type RunView, type WaitsClient, waitsTestBed } from './factories/workflow-waits';
import type { TestApp } from './utils/test-app';

/** Approval steps: approved, rejected, past their deadline, decided twice at once, by whom; and their metrics. */
describe('workflow steps that wait', () => {
  let t: TestApp;
  let op: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let calc: string;
  let c: WaitsClient;
  waitsTestBed((bed) => ({ t, op, other, admin, calc, c } = bed));

  const gated = (extra: object = {}) => [
    { id: 'ok', kind: 'approval', ...extra },
    {
      id: 'after',
      agentId: calc,
      dependsOn: ['ok'],
      input: { expression: '{{ steps.ok.output.approved ? "20+1" : "0" }}' },
    },
  ];

  it('waits for an approval, then runs on with the decision as the step’s output', async () => {
    const run = await c.start(op, gated());
    expect(c.step(run, 'ok')).toEqual({
      id: 'ok',
      kind: 'approval',
      status: 'waiting',
      taskId: null,
      output: null,
      error: null,
      waitUntil: null,
      approvalDeadline: null,
      decision: null,
      permission: null,
    });
    expect(c.step(run, 'after')).toMatchObject({ kind: 'task', status: 'pending', permission: null });
    expect(await c.stored(run.id)).toMatchObject({ status: 'running', wakeAt: null, parked: true });

    const res = await c.decide(op, run.id, 'ok', 'approve', { comment: 'looks right' }).expect(200);
    const decided = c.step(res.body.data as RunView, 'ok');
    expect(decided).toMatchObject({
      status: 'succeeded',
      output: { approved: true, by: op.id, comment: 'looks right' },
      decision: { outcome: 'approved', by: op.id, comment: 'looks right' },
    });
    const done = await c.ended(op, run.id);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'after').output).toEqual({ result: 21 });

    const row = await c.stored(run.id);
    expect(row.steps.ok).toMatchObject({ status: 'succeeded', kind: 'approval', decision: { by: op.id } });
    expect(row).toMatchObject({ status: 'succeeded', wakeAt: null, parked: false });
    await t.chainAudit();
    const entries = (await t.dataSource.query(
      `SELECT action, actor_id AS "actorId", details FROM audit_logs WHERE resource_id = $1 AND action LIKE 'workflow_run.step%'`,
      [run.id],
    )) as { action: string; actorId: string; details: unknown }[];
    expect(entries).toEqual([
      { action: 'workflow_run.step_approve', actorId: op.id, details: { stepId: 'ok', comment: 'looks right' } },
    ]);
  });

  it('fails a rejected step and the run, unless the step may fail', async () => {
    const strict = await c.start(op, gated());
    await c.decide(op, strict.id, 'ok', 'reject', { comment: 'not now' }).expect(200);
    const failed = await c.ended(op, strict.id);
    expect(failed.status).toBe('failed');
    expect(c.step(failed, 'ok')).toMatchObject({
      status: 'failed',
      error: { code: 'APPROVAL_REJECTED' },
      decision: { outcome: 'rejected', by: op.id, comment: 'not now' },
    });
    expect(c.step(failed, 'after').status).toBe('skipped');

    const lenient = await c.start(op, gated({ continueOnFailure: true }));
    await c.decide(op, lenient.id, 'ok', 'reject').expect(200);
    const done = await c.ended(op, lenient.id);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'after').output).toEqual({ result: 0 });
  });

  it('rejects an approval nobody decided by its deadline', async () => {
    const run = await c.start(op, gated({ timeoutMs: 300 }));
    expect(c.step(run, 'ok')).toMatchObject({ status: 'waiting', approvalDeadline: expect.any(String) });
    const failed = await c.ended(op, run.id);
    expect(c.step(failed, 'ok')).toMatchObject({
      status: 'failed',
      error: { code: 'APPROVAL_TIMED_OUT' },
      decision: { outcome: 'timed_out', by: null, comment: null },
    });
    expect(failed.status).toBe('failed');
    const late = await c.decide(op, run.id, 'ok', 'approve').expect(409);
    expect(late.body.error.code).toBe('INVALID_STATE');
  });

  it('refuses a decision after the deadline that no worker applied yet, and applies it', async () => {
    // No deadline at the start, so no job fires: then one in the past, as when every worker was down past it.
    const run = await c.start(op, gated());
    const past = new Date(Date.now() - 1000).toISOString();
    await t.dataSource.query(
      `UPDATE workflow_run_steps SET state = jsonb_set(state, '{approvalDeadline}', to_jsonb($2::text))
        WHERE run_id = $1 AND step_id = 'ok'`,
      [run.id, past],
    );
    const listed = await request(t.http)
      .get('/api/v1/approvals?limit=100')
      .set(...bearer(op))
      .expect(200);
    expect((listed.body.data as { runId: string }[]).map((a) => a.runId)).not.toContain(run.id);
    const late = await c.decide(op, run.id, 'ok', 'approve').expect(409);
    expect(late.body.error).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringMatching(/timed out at .* before this decision/),
    });
    // The answer applied the timeout: the step is decided, for the next decision too.
    expect((await c.decide(op, run.id, 'ok', 'reject').expect(409)).body.error.code).toBe('INVALID_STATE');
    const failed = await c.ended(op, run.id);
    expect(failed.status).toBe('failed');
    expect(c.step(failed, 'ok')).toMatchObject({
      error: { code: 'APPROVAL_TIMED_OUT' },
      decision: { outcome: 'timed_out' },
    });
    expect(c.step(failed, 'after').status).not.toBe('succeeded');
  });

  it('takes one of two approvals at once: the other gets 409', async () => {
    const run = await c.start(op, gated());
    const answers = await Promise.all([
      c.decide(op, run.id, 'ok', 'approve', { comment: 'first' }),
      c.decide(op, run.id, 'ok', 'approve', { comment: 'second' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    await c.ended(op, run.id);
    await t.chainAudit();
    const [{ count }] = (await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_logs
        WHERE resource_id = $1 AND action = 'workflow_run.step_approve' AND outcome = 'success'`,
      [run.id],
    )) as { count: number }[];
    expect(count).toBe(1);
  });

  it('lets only those who may decide: the run’s writers, or the holders of the step’s permission', async () => {
    const run = await c.start(op, gated());
    expect((await c.decide(other, run.id, 'ok', 'approve').expect(404)).body.error.code).toBe('NOT_FOUND');
    await c.decide(op, run.id, 'nope', 'approve').expect(404);
    await c.decide(op, run.id, 'after', 'approve').expect(409);
    await c.decide(op, run.id, 'ok', 'approve', { comment: 7 }).expect(400);
    expect(c.step(await c.get(op, run.id), 'ok').status).toBe('waiting');
    await c.decide(admin, run.id, 'ok', 'approve').expect(200);

    const guarded = await c.start(op, gated({ permission: 'users:manage' }));
    // The run says who decides the step, so a console need not learn it from a 403.
    expect(c.step(guarded, 'ok').permission).toBe('users:manage');
    // The refusal names what deciding takes.
    expect((await c.decide(op, guarded.id, 'ok', 'approve').expect(403)).body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Deciding this step takes the users:manage permission, which your role does not hold',
    });
    // The refusal is audited against the run it was for.
    await t.chainAudit();
    const denied = await t.dataSource.query(
      `SELECT resource_type, resource_id FROM audit_logs WHERE action = 'workflow_run.step_approve' AND outcome = 'denied'`,
    );
    expect(denied).toEqual([{ resource_type: 'workflowRun', resource_id: guarded.id }]);
    await c.decide(other, guarded.id, 'ok', 'reject').expect(404);
    const decided = (await c.decide(admin, guarded.id, 'ok', 'reject').expect(200)).body.data as RunView;
    expect(c.step(decided, 'ok').decision).toMatchObject({ outcome: 'rejected', by: admin.id });
  });

  it('counts waiting steps and decisions in the metrics', async () => {
    await c.start(op, [{ id: 'ok', kind: 'approval' }]);
    const text = (await request(t.http).get('/metrics').expect(200)).text;
    expect(text).toMatch(/workflow_steps_waiting\{kind="approval"\} [1-9]/);
    expect(text).toMatch(/workflow_approvals_total\{outcome="approved"\} [1-9]/);
    expect(text).toMatch(/workflow_approvals_total\{outcome="timed_out"\} [1-9]/);
  });

  it('fails the step after an approval with AGENT_DELETED when its agent was deleted meanwhile, as a task would', async () => {
    const doomed = (await createAgent(t, op, { type: 'calculator' })).id;
    const run = await c.start(op, [
      { id: 'ok', kind: 'approval' },
      { id: 'after', agentId: doomed, dependsOn: ['ok'], input: { expression: '1' } },
    ]);
    await request(t.http)
      .delete(`/api/v1/agents/${doomed}`)
      .set(...bearer(op))
      .expect(204);
    await c.decide(op, run.id, 'ok', 'approve').expect(200);
    const done = await c.ended(op, run.id);
    expect(done.status).toBe('failed');
    expect(c.step(done, 'after')).toMatchObject({
      status: 'failed',
      error: { code: 'AGENT_DELETED', message: 'The agent has been deleted and takes no new tasks' },
    });
  });
});
