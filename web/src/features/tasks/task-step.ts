import type { components } from '../../api/schema';
import { RETRYABLE } from './task-status';

type Task = components['schemas']['TaskDto'];

/** The workflow run and step a task is a step of; null for a task of its own. */
export interface StepOfRun {
  runId: string;
  /** Set with `runId` by the server; null only if a task ever came without it. */
  stepId: string | null;
}

export function stepOfRun(task: Pick<Task, 'runId' | 'stepId'>): StepOfRun | null {
  return task.runId ? { runId: task.runId, stepId: task.stepId ?? null } : null;
}

/**
 * Whether the task's own Retry applies: a status a retry takes back to queued, and no workflow run's step (the
 * API refuses that one with 409: its run's retry runs it again, with the steps after it).
 */
export function retryableAlone(task: Pick<Task, 'status' | 'runId'>): boolean {
  return !task.runId && RETRYABLE.includes(task.status);
}

/**
 * A step task whose status a retry would take back: what to do instead. Null for any other task, or one still
 * under way or succeeded.
 */
export function retryThroughRunText(task: Pick<Task, 'status' | 'runId'>): string | null {
  return task.runId && RETRYABLE.includes(task.status) ? 'To run this step again, retry its workflow run.' : null;
}

/** What cancelling a step task does to its run, said with the cancel's other consequences. */
export function cancelOfStepText(step: StepOfRun | null): string {
  if (!step) return '';
  return ` Its workflow run counts step ${step.stepId ?? '?'} as failed: the steps after it are skipped unless it may fail.`;
}

/** The run's page in the console. */
export function runPath(workflowId: string, runId: string): string {
  return `/workflows/${encodeURIComponent(workflowId)}/runs/${encodeURIComponent(runId)}`;
}
