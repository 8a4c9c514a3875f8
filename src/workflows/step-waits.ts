import { boundedDate } from '../common/http/dto-decorators';
import { templateExpressions } from './templates';
import type { TaskError } from '../tasks/task';
import { FINAL_STEP_STATUSES, type StepDecision, type StepState } from './entities/workflow-run.entity';
import type { ApprovalStep, WaitStep } from './workflow-definition';

/**
 * The rules of steps that wait, as pure functions over a run's step states: when a wait or an approval falls
 * due, how it resolves, and what a run's waits come to (its wake time, whether only waits hold it). Callers
 * apply them under the run's row lock, so a step resolves exactly once whoever gets there first.
 */

/** What a waiting step becomes when it starts: its waiting state, or why it cannot wait. */
export type WaitStart = { wait: Partial<StepState> } | { error: TaskError };

/** Approval steps and wait steps: the kinds whose step holds no task. */
export type WaitingStep = ApprovalStep | WaitStep;

/** The output an approval step gives the steps after it (`steps.<id>.output`). */
export interface ApprovalOutput {
  approved: boolean;
  by: string | null;
  comment: string | null;
  at: string;
  timedOut?: boolean;
}

/** What a wait step's `until` must be, or come to: read as dates in a request body are. */
export const UNTIL_FORM =
  'an ISO 8601 date-time with its offset (Z or ±hh:mm), of a day that exists, in years 0001-9999';

/** A wait's `until` written as a time, not a template. */
const isWritten = (until: string | undefined): boolean => until !== undefined && !templateExpressions(until).length;

/**
 * The waiting state of a step starting at `now`. A wait step's `until` is what its template rendered to (or
 * the ISO time as written); one that is not a time fails the step.
 */
export function startWaiting(step: WaitingStep, now: Date, until?: unknown): WaitStart {
  if (step.kind === 'approval') {
    const deadline = step.timeoutMs === undefined ? null : new Date(now.getTime() + step.timeoutMs).toISOString();
    return { wait: { status: 'waiting', kind: 'approval', approvalDeadline: deadline } };
  }
  let at: number;
  if (step.durationMs !== undefined) at = now.getTime() + step.durationMs;
  else {
    at = boundedDate(until)?.getTime() ?? NaN;
    // A time written as such was checked when its workflow was saved; one saved before that check followed the
    // rule (read with Date.parse then) is read as it was, so that its runs keep working. Rendered ones keep to it.
    if (Number.isNaN(at) && isWritten(step.until) && typeof until === 'string') at = Date.parse(until);
    if (Number.isNaN(at)) {
      return {
        error: { code: 'INVALID_INPUT', message: `"until" must come to ${UNTIL_FORM}; it came to ${short(until)}` },
      };
    }
  }
  return { wait: { status: 'waiting', kind: 'wait', waitUntil: new Date(at).toISOString() } };
}

/** When a waiting step falls due (a wait's end, an approval's deadline); undefined when it never does by itself. */
export function dueAt(state: StepState): Date | undefined {
  if (state.status !== 'waiting') return undefined;
  const at = state.kind === 'wait' ? state.waitUntil : state.approvalDeadline;
  return at ? new Date(at) : undefined;
}

/**
 * Resolves a waiting step that is due at `now`: a wait succeeds, an approval is rejected by its timeout.
 * Returns false, changing nothing, when the step is not waiting or not yet due.
 */
export function resolveIfDue(state: StepState, now: Date): boolean {
  const due = dueAt(state);
  if (!due || due.getTime() > now.getTime()) return false;
  const at = now.toISOString();
  if (state.kind === 'wait') {
    Object.assign(state, { status: 'succeeded', output: { waitedUntil: state.waitUntil } });
    return true;
  }
  const output: ApprovalOutput = { approved: false, by: null, comment: null, at, timedOut: true };
  Object.assign(state, {
    status: 'failed',
    output,
    error: { code: 'APPROVAL_TIMED_OUT', message: 'Nobody approved or rejected the step before its deadline' },
    decision: { outcome: 'timed_out', by: null, at, comment: null } satisfies StepDecision,
  });
  return true;
}

/** Records a person's decision on a waiting approval step: approved succeeds, rejected fails. */
export function decide(state: StepState, approved: boolean, by: string, comment: string | null, now: Date): void {
  const at = now.toISOString();
  const output: ApprovalOutput = { approved, by, comment, at };
  const decision: StepDecision = { outcome: approved ? 'approved' : 'rejected', by, at, comment };
  if (approved) Object.assign(state, { status: 'succeeded', output, error: null, decision });
  else {
    const error = { code: 'APPROVAL_REJECTED', message: comment ? `Rejected: ${comment}` : 'Rejected' };
    Object.assign(state, { status: 'failed', output, error, decision });
  }
}

/** The earliest time one of these steps falls due; null when none waits for a time. */
export function wakeAtOf(steps: Record<string, StepState>): Date | null {
  let earliest: Date | null = null;
  for (const state of Object.values(steps)) {
    const due = dueAt(state);
    if (due && (!earliest || due < earliest)) earliest = due;
  }
  return earliest;
}

/** Whether only waits hold the run: some step waits, none is queued or running. */
export function isParked(steps: Record<string, StepState>): boolean {
  const states = Object.values(steps);
  return (
    states.some((s) => s.status === 'waiting') && !states.some((s) => s.status === 'queued' || s.status === 'running')
  );
}

/** The steps of a run that wait and fall due at or before `horizon`, with when. */
export function dueWaits(steps: Record<string, StepState>, horizon: Date): { stepId: string; at: Date }[] {
  return Object.entries(steps).flatMap(([stepId, state]) => {
    const at = dueAt(state);
    return at && at <= horizon && !FINAL_STEP_STATUSES.includes(state.status) ? [{ stepId, at }] : [];
  });
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
