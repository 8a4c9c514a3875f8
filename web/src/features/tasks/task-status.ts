import type { components } from '../../api/schema';

export type TaskStatus = components['schemas']['TaskDto']['status'];

export const STATUSES: readonly TaskStatus[] = [
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
  'expired',
];
export const CANCELLABLE: readonly TaskStatus[] = ['queued', 'running', 'retrying'];
export const RETRYABLE: readonly TaskStatus[] = ['failed', 'cancelled', 'expired'];
/** The statuses a task's run ends in: nothing more happens to it unless it is retried. */
export const FINAL: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

/**
 * The progress a task's bar shows, or null for none: a task that ended without succeeding and never got past
 * 0 % (it failed, was cancelled or expired at once) has nothing to show, and a 0 % bar beside its status would
 * read as work still to come. Any other task shows its progress, 0 % included while it may still move.
 */
export function shownProgress(task: { status: TaskStatus; progress: number }): number | null {
  const ended = FINAL.includes(task.status) && task.status !== 'succeeded';
  return ended && task.progress <= 0 ? null : task.progress;
}
