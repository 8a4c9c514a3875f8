import type { TaskEntity } from './entities/task.entity';

/** What a task is, for every part of the platform: its statuses, its error, and the task as stored. */
export const TASK_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** `expired`: the task was still queued at its expiry time (`expireAt`), and was never run. */
export const FINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];
/** What a retry takes back to queued (one task's or a bulk operation's), its expiry dropped. */
export const RETRYABLE_STATUSES: readonly TaskStatus[] = ['failed', 'cancelled', 'expired'];
/** What a cancel ends: every status that is not final. */
export const CANCELLABLE_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'retrying'];

export interface TaskError {
  code: string;
  message: string;
}

/** The error a task cancelled by a user's request ends with. */
export const CANCELLED_BY_REQUEST: TaskError = { code: 'CANCELLED', message: 'Cancelled by request' };

/** A task as the tasks' repository reads and writes it. */
export type Task = TaskEntity;

/**
 * A task as a list shows it: its input and output only when within the list's bound (each `null` and flagged
 * when left out; `GET /tasks/:id` has them whole), and without the executor's checkpoint.
 */
export type ListedTask = Omit<Task, 'checkpoint'> & { inputOmitted: boolean; outputOmitted: boolean };
