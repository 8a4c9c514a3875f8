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

/** The server's answer to `subscribe` (its acknowledgement). */
export type SubscribeReply = { ok: true; room: string } | { ok: false; error: { code: string; message: string } };

/** What {@link subscribeAll} needs of the Socket.IO client. */
export interface SubscribingSocket {
  emitWithAck(event: 'subscribe', body: Subscription & { batch?: true }): Promise<SubscribeReply>;
}

/**
 * Joins the room of each subject and resolves, once the server has answered for all of them, with the subjects
 * it acknowledged (one refused, or left unanswered by a lost connection, is not among them). An event published
 * before its room was joined reaches no one: what these subjects cover is to be read again, once.
 */
export async function subscribeAll(
  socket: SubscribingSocket,
  subjects: readonly Subscription[],
): Promise<Subscription[]> {
  const replies = await Promise.all(
    subjects.map((subject) =>
      socket.emitWithAck('subscribe', subscribeBody(subject)).then(
        (reply) => (reply?.ok === true ? subject : null),
        () => null,
      ),
    ),
  );
  return replies.filter((subject): subject is Subscription => subject !== null);
}
