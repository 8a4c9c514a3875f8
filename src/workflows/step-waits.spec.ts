import type { Principal } from '../auth/principal';
import { permissionsOf, type Role } from '../auth/permissions';
import { AppError } from '../common/errors/app.error';
import { step, workflowSetup } from '../../test/fakes/workflow-engine';
import { fakeRun } from '../../test/fakes/workflows';
import { decisionAccess } from './step-decisions';
import { StepWaitReconciler } from './step-wait-reconciler';
import { isParked, wakeAtOf } from './step-waits';
import type { WorkflowStep } from './workflow-definition';

const who = (userId: string, role: Role = 'operator'): Principal => ({
  type: 'user',
  userId,
  email: `${userId}@example.test`,
  role,
  permissions: permissionsOf(role),
});
const alice = who('alice');

const approval = (id: string, fields: Partial<WorkflowStep> = {}): WorkflowStep =>
  ({ id, kind: 'approval', ...fields }) as WorkflowStep;

async function refusal(work: Promise<unknown>): Promise<string> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err.code;
}

describe('steps that wait', () => {
  it('holds an approval step waiting, then runs on with its decision as output', async () => {
    const w = workflowSetup([
      approval('ok', { timeoutMs: 60_000 }),
      step('after', { dependsOn: ['ok'], input: { text: '{{ steps.ok.output.comment }}' } }),
    ]);
    await w.advance();
    expect(w.run().steps.ok).toMatchObject({ status: 'waiting', kind: 'approval', taskId: null });
    expect(Date.parse(w.run().steps.ok.approvalDeadline!)).toBeGreaterThan(Date.now());
    expect([...w.waitJobs.jobs.keys()]).toEqual(['run-1.ok']);
    expect(w.stepTask('after')).toBeUndefined();

    const run = await w.decisions.decide(alice, 'run-1', 'ok', true, 'ship it');
    expect(run.steps.ok).toMatchObject({
      status: 'succeeded',
      output: { approved: true, by: 'alice', comment: 'ship it' },
      decision: { outcome: 'approved', by: 'alice', comment: 'ship it' },
    });
    expect(w.stepTask('after')!.input).toEqual({ text: 'ship it' });
    expect(w.runs.audit).toEqual([
      expect.objectContaining({ action: 'workflow_run.step_approve', details: { stepId: 'ok', comment: 'ship it' } }),
    ]);
    expect(w.metrics.decided).toEqual(['approved']);
    expect(await refusal(w.decisions.decide(alice, 'run-1', 'ok', false, undefined))).toBe('INVALID_STATE');
  });

  it('fails a rejected step: the run fails, unless the step may fail', async () => {
    const strict = workflowSetup([approval('ok'), step('after', { dependsOn: ['ok'] })]);
    await strict.advance();
    await strict.decisions.decide(alice, 'run-1', 'ok', false, 'no');
    expect(strict.run().steps.ok).toMatchObject({ status: 'failed', error: { code: 'APPROVAL_REJECTED' } });
    expect(strict.run().steps.after.status).toBe('skipped');
    expect(strict.run().status).toBe('failed');

    const lenient = workflowSetup([
      approval('ok', { continueOnFailure: true }),
      step('after', { dependsOn: ['ok'], input: { text: '{{ $string(steps.ok.output.approved) }}' } }),
    ]);
    await lenient.advance();
    await lenient.decisions.decide(alice, 'run-1', 'ok', false, undefined);
    expect(lenient.stepTask('after')!.input).toEqual({ text: 'false' });
  });

  it('rejects an approval at its deadline, once, however many fire it', async () => {
    const w = workflowSetup([approval('ok', { timeoutMs: 1000 })]);
    await w.advance();
    const deadline = new Date(w.run().steps.ok.approvalDeadline!);
    await expect(w.decisions.fireDue('run-1', 'ok', new Date(deadline.getTime() - 1))).resolves.toEqual(deadline);
    expect(w.run().steps.ok.status).toBe('waiting');
    const late = new Date(deadline.getTime() + 1);
    await Promise.all([w.decisions.fireDue('run-1', 'ok', late), w.decisions.fireDue('run-1', undefined, late)]);
    expect(w.run().steps.ok).toMatchObject({
      status: 'failed',
      error: { code: 'APPROVAL_TIMED_OUT' },
      decision: { outcome: 'timed_out', by: null },
    });
    expect(w.run().status).toBe('failed');
    expect(w.runs.audit.map((e) => e.action)).toEqual(['workflow_run.step_timeout']);
    expect(w.metrics.decided).toEqual(['timed_out']);
  });

  it('ends a wait step when it is due, from a duration or a rendered time', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const w = workflowSetup(
      [
        { id: 'pause', kind: 'wait', durationMs: 300 },
        { id: 'until', kind: 'wait', until: '{{ input.at }}' },
        { id: 'bad', kind: 'wait', until: '{{ input.nope }}', continueOnFailure: true },
        // Rendered times are read as a request's dates are: with an offset, of a day that exists.
        { id: 'local', kind: 'wait', until: '{{ input.local }}', continueOnFailure: true },
        { id: 'nonDay', kind: 'wait', until: '{{ input.nonDay }}', continueOnFailure: true },
        // Written so in a workflow saved before the rule: read as it was read then, so that its runs still work.
        { id: 'savedBefore', kind: 'wait', until: '2031-06-01 12:00:00Z' },
        step('after', { dependsOn: ['pause'] }),
      ],
      { at, local: '2030-01-01T10:00', nonDay: '2030-02-30T00:00:00Z' },
    );
    await w.advance();
    expect(w.run().steps.pause).toMatchObject({ status: 'waiting', kind: 'wait' });
    expect(w.run().steps.until.waitUntil).toBe(at);
    expect(w.run().steps.bad).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });
    expect(w.run().steps.savedBefore).toMatchObject({ status: 'waiting', waitUntil: '2031-06-01T12:00:00.000Z' });
    for (const [id, came] of [
      ['local', '"2030-01-01T10:00"'],
      ['nonDay', '"2030-02-30T00:00:00Z"'],
    ])
      expect(w.run().steps[id]).toMatchObject({
        status: 'failed',
        error: {
          code: 'INVALID_INPUT',
          message: expect.stringContaining(
            `with its offset (Z or ±hh:mm), of a day that exists, in years 0001-9999; it came to ${came}`,
          ),
        },
      });
    expect(isParked(w.run().steps)).toBe(true);
    expect(wakeAtOf(w.run().steps)).toEqual(new Date(w.run().steps.pause.waitUntil!));
    expect(w.waitJobs.jobs.get('run-1.until')!.at.toISOString()).toBe(at);

    await w.decisions.fireDue('run-1', 'pause', new Date(Date.now() + 1000));
    expect(w.run().steps.pause).toMatchObject({ status: 'succeeded', output: { waitedUntil: expect.any(String) } });
    expect(w.stepTask('after')).toBeDefined();
    expect(w.run().steps.until.status).toBe('waiting');
    expect(isParked(w.run().steps)).toBe(false);
    expect(wakeAtOf(w.run().steps)!.toISOString()).toBe(at);
  });

  it('gives lost jobs back and resolves overdue waits, on the sweeper’s pass', async () => {
    const w = workflowSetup([
      { id: 'soon', kind: 'wait', durationMs: 60_000 },
      { id: 'later', kind: 'wait', durationMs: 7_200_000 },
      approval('ok'),
    ]);
    await w.advance();
    w.waitJobs.jobs.clear();
    const reconciler = new StepWaitReconciler(w.runs, w.decisions, w.waitJobs);
    await expect(reconciler.run()).resolves.toEqual({ fired: 0, queued: 1 });
    expect([...w.waitJobs.jobs.keys()]).toEqual(['run-1.soon']);

    await expect(reconciler.run(new Date(Date.now() + 120_000))).resolves.toMatchObject({ fired: 1 });
    expect(w.run().steps).toMatchObject({
      soon: { status: 'succeeded' },
      later: { status: 'waiting' },
      ok: { status: 'waiting' },
    });
    await expect(reconciler.run(new Date(Date.now() + 120_000))).resolves.toMatchObject({ fired: 0 });
  });

  it('cancels a waiting step with its run, and drops its job', async () => {
    const w = workflowSetup([{ id: 'pause', kind: 'wait', durationMs: 60_000 }]);
    await w.advance();
    await w.runCancellation.cancel('run-1', undefined);
    expect(w.run().steps.pause.status).toBe('cancelled');
    expect(w.waitJobs.jobs.size).toBe(0);
    await expect(w.decisions.fireDue('run-1', 'pause', new Date(Date.now() + 120_000))).resolves.toBeUndefined();
    expect(w.run()).toMatchObject({ status: 'cancelled', steps: { pause: { status: 'cancelled' } } });
  });

  it('refuses what is not a waiting approval step of a run the caller may decide', async () => {
    const w = workflowSetup([approval('ok'), step('task')]);
    await w.advance();
    expect(await refusal(w.decisions.decide(alice, 'run-1', 'nope', true, undefined))).toBe('NOT_FOUND');
    expect(await refusal(w.decisions.decide(alice, 'run-1', 'task', true, undefined))).toBe('INVALID_STATE');
    expect(await refusal(w.decisions.decide(who('bob'), 'run-1', 'ok', true, undefined))).toBe('NOT_FOUND');
    expect(await refusal(w.decisions.decide(who('alice', 'viewer'), 'run-1', 'ok', true, undefined))).toBe('FORBIDDEN');
    expect(w.run().steps.ok.status).toBe('waiting');
  });

  it('names the permission a decider it refuses lacks', async () => {
    const w = workflowSetup([approval('gate', { permission: 'users:manage' }), approval('plain')]);
    await w.advance();
    await expect(w.decisions.decide(alice, 'run-1', 'gate', true, undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Deciding this step takes the users:manage permission, which your role does not hold',
    });
    await expect(w.decisions.decide(who('alice', 'viewer'), 'run-1', 'plain', true, undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Deciding this step takes the workflows:write permission, which your role does not hold',
    });
    expect(w.run().steps.gate.status).toBe('waiting');
  });

  it('lets holders of the step’s permission decide, and only them', () => {
    const run = fakeRun([approval('gate', { permission: 'users:manage' }), approval('plain')]);
    const [gate, plain] = run.definition;
    expect(decisionAccess(who('admin', 'admin'), run, gate)).toBe('allowed');
    expect(decisionAccess(who('carol', 'admin'), run, plain)).toBe('allowed');
    expect(decisionAccess(alice, run, gate)).toBe('forbidden');
    expect(decisionAccess(who('bob'), run, gate)).toBe('hidden');
    expect(decisionAccess(alice, run, plain)).toBe('allowed');
    expect(decisionAccess(who('bob'), run, plain)).toBe('hidden');
  });
});
