import { isAdmin, type Principal } from '../auth/principal';
import type { TaskEvent } from './event-bus';

/** The room of one task: its events and its running attempt's output deltas. */
export function taskRoom(taskId: string): string {
  return `task:${taskId}`;
}

/** The room of one workflow run's events. */
export function runRoom(runId: string): string {
  return `run:${runId}`;
}

/**
 * The room of an agent's task events for this principal: an admin follows every task of the agent, anyone
 * else only the tasks they created.
 */
export function agentRoom(principal: Principal, agentId: string): string {
  return `agent:${agentId}:${isAdmin(principal) ? 'all' : `user:${principal.userId}`}`;
}

/** The room of an agent's task events sent in batches (`tasks.updated`), with the access of {@link agentRoom}. */
export function batchedAgentRoom(principal: Principal, agentId: string): string {
  return `${agentRoom(principal, agentId)}:batch`;
}

/** The rooms a task event goes to: the task's own, and its agent's (everyone's, and its creator's). */
export function taskRooms(event: TaskEvent): string[] {
  return [taskRoom(event.taskId), `agent:${event.agentId}:all`, `agent:${event.agentId}:user:${event.createdBy}`];
}

/** The rooms of subscribers that receive a task event in a batch: its agent's, everyone's and its creator's. */
export function batchedTaskRooms(event: TaskEvent): string[] {
  return [`agent:${event.agentId}:all:batch`, `agent:${event.agentId}:user:${event.createdBy}:batch`];
}
