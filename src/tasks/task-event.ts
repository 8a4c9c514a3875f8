import type { TaskEvent } from '../events/event-bus';
import { FINAL_STATUSES, type Task } from './task';

/**
 * A task as live clients see it (SSE and Socket.IO): its output only in the final event. `updatedAt` is when it
 * changed: now, for a change being published; the stored time, for a task as read (a stream's first event).
 */
export function taskEvent(task: Task, updatedAt = new Date()): TaskEvent {
  return {
    taskId: task.id,
    agentId: task.agentId,
    createdBy: task.createdBy,
    status: task.status,
    progress: task.progress,
    progressMessage: task.progressMessage,
    attempts: task.attempts,
    error: task.error,
    ...(FINAL_STATUSES.includes(task.status) ? { output: task.output ?? null } : {}),
    updatedAt: updatedAt.toISOString(),
  };
}
