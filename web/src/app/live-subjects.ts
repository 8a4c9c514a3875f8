/** What a live-event subscription is about (one of them). */
export type Subscription = { taskId: string } | { agentId: string } | { runId: string };
export type LiveEventName = 'task.updated' | 'task.output.delta' | 'run.updated';
export interface LiveEvent {
  name: LiveEventName;
  payload: Record<string, unknown>;
}

/** The Socket.IO events a page's listener takes: `tasks.updated` is an agent's `task.updated` events in batches. */
export const SOCKET_EVENTS = ['task.updated', 'tasks.updated', 'task.output.delta', 'run.updated'] as const;
export type SocketEventName = (typeof SOCKET_EVENTS)[number];

/**
 * The body of `subscribe` and `unsubscribe` for `subject`: an agent's events are asked for in batches (one
 * `tasks.updated` array per short window rather than a message per event); a task's and a run's one by one.
 */
export function subscribeBody(subject: Subscription): Subscription & { batch?: true } {
  return 'agentId' in subject ? { ...subject, batch: true } : subject;
}

/** The live events a Socket.IO event carries: each of a `tasks.updated` array is a `task.updated` of its own. */
export function liveEventsOf(name: SocketEventName, payload: unknown): LiveEvent[] {
  if (name !== 'tasks.updated') return [{ name, payload: payload as Record<string, unknown> }];
  return Array.isArray(payload)
    ? payload.map((event) => ({ name: 'task.updated', payload: event as Record<string, unknown> }))
    : [];
}
