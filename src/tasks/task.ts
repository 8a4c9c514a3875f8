import type { TaskEntity } from './entities/task.entity';

/** What a task is, for every part of the platform: its statuses, its error, and the task as stored. */
export const TASK_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** `expired`: the task was still queued at its expiry time (`expireAt`), and was never run. */
export const FINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

export interface TaskError {
  code: string;
  message: string;
}

/** A task as the tasks' repository reads and writes it. */
export type Task = TaskEntity;
