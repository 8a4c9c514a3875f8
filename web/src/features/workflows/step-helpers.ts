import type { components } from '../../api/schema';
import { fireTime } from '../schedules/schedule-helpers';

type RunStep = components['schemas']['RunStepDto'];
type Decision = components['schemas']['StepDecisionDto'];
type RunStatus = components['schemas']['WorkflowRunDto']['status'];

/**
 * What a waiting step waits for, in words, its time as a date and time in `timeZone` (the browser's; the page
 * adds how soon, the exact ISO time on hover): "waits until Mon, 7 Dec 2026, 09:00 (Europe/Paris)", "waits for
 * approval, times out at …", "waits for approval (no deadline)"; null otherwise.
 */
export function waitingFor(
  step: Pick<RunStep, 'kind' | 'status' | 'waitUntil' | 'approvalDeadline'>,
  timeZone: string,
): string | null {
  if (step.status !== 'waiting') return null;
  if (step.kind === 'wait')
    return step.waitUntil ? `waits until ${fireTime(step.waitUntil, timeZone)}` : 'waits for its time';
  if (step.kind === 'approval') {
    return step.approvalDeadline
      ? `waits for approval, times out at ${fireTime(step.approvalDeadline, timeZone)}`
      : 'waits for approval (no deadline)';
  }
  return null;
}

/** "approved by Ada", "rejected by 3f2a…", "timed out": a decision's outcome and who made it. */
export function decisionText(decision: Decision, nameOf: (userId: string) => string | undefined): string {
  if (decision.outcome === 'timed_out') return 'timed out (nobody decided in time)';
  const who = decision.by ? (nameOf(decision.by) ?? decision.by.slice(0, 8)) : 'someone';
  return `${decision.outcome} by ${who}`;
}

/** Whether an approval step can be decided now: waiting, in a run still running. */
export function isDecidable(step: Pick<RunStep, 'kind' | 'status'>, runStatus: RunStatus): boolean {
  return step.kind === 'approval' && step.status === 'waiting' && runStatus === 'running';
}

/**
 * Whether this user may decide an approval step, by the API's rule: a step naming a permission is decided by
 * its holders; otherwise by whoever may change the run (its creator with `workflows:write`, or an admin).
 */
export function mayDecide(
  step: Pick<RunStep, 'permission'>,
  run: { createdBy: string },
  me: { id: string; role: string; permissions: readonly string[] },
): boolean {
  if (step.permission) return me.permissions.includes(step.permission);
  return me.permissions.includes('workflows:write') && (me.role === 'admin' || run.createdBy === me.id);
}

/** Whether a run can have its failed steps run again. */
export function isRetryable(runStatus: RunStatus): boolean {
  return runStatus === 'failed' || runStatus === 'cancelled';
}

/**
 * The message for a decision the API refused, by its status; a 403's own message names the permission the step
 * takes, so it is said as it is.
 */
export function decisionRefusal(status: number, message: string): string {
  if (status === 409)
    return 'This step was decided already, timed out, or its run is over: the run is shown as it is now.';
  return message;
}

/**
 * What does a step's work, as the graph shows it and says it: its agent for a task (`agentName` names it),
 * "approval" or "wait" for the kinds that have none.
 */
export function stepDoer(
  step: { kind?: string; agentId?: string },
  agentName: (agentId: string | undefined) => string,
): { shown: string; spoken: string } {
  if (step.kind === 'approval' || step.kind === 'wait') return { shown: step.kind, spoken: step.kind };
  const name = agentName(step.agentId);
  return { shown: name, spoken: `agent ${name}` };
}
