import { backoffMs } from './backoff';

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

/**
 * The server's answer to `subscribe` (its acknowledgement); a refusal for the user's live budget says in how many
 * seconds it opens again (`RATE_LIMITED`, `retryAfter`).
 */
export type SubscribeReply =
  { ok: true; room: string } | { ok: false; error: { code: string; message: string; retryAfter?: number } };

/**
 * Refusals that hold only for now: the live budget is spent until its minute ends (`RATE_LIMITED`), or could not
 * be checked (`SERVICE_UNAVAILABLE`). Any other (`NOT_FOUND`, `FORBIDDEN`) would be given again.
 */
const REFUSED_FOR_NOW = ['RATE_LIMITED', 'SERVICE_UNAVAILABLE'];

/** What the server answered to the subscriptions of {@link subscribeAll}. */
export interface SubscribeOutcome {
  /** Subscribed: their rooms are joined. */
  acknowledged: Subscription[];
  /** Refused only for now (see {@link REFUSED_FOR_NOW}): to be asked for again later. */
  refusedForNow: Subscription[];
  /** The longest wait the server asked for among those refusals, in seconds, when it said. */
  retryAfterSeconds?: number;
}

/** What {@link subscribeAll} needs of the Socket.IO client. */
export interface SubscribingSocket {
  emitWithAck(event: 'subscribe', body: Subscription & { batch?: true }): Promise<SubscribeReply>;
}

/**
 * Joins the room of each subject and resolves, once the server has answered for all of them, with the subjects
 * it acknowledged and those it refused only for now (one refused for good, or left unanswered by a lost
 * connection, is in neither). An event published before its room was joined reaches no one: what the
 * acknowledged subjects cover is to be read again, once.
 */
export async function subscribeAll(
  socket: SubscribingSocket,
  subjects: readonly Subscription[],
): Promise<SubscribeOutcome> {
  const replies = await Promise.all(
    subjects.map((subject) =>
      socket.emitWithAck('subscribe', subscribeBody(subject)).then(
        (reply) => ({ subject, reply }),
        () => ({ subject, reply: null }),
      ),
    ),
  );
  const outcome: SubscribeOutcome = { acknowledged: [], refusedForNow: [] };
  for (const { subject, reply } of replies) {
    if (reply?.ok === true) outcome.acknowledged.push(subject);
    else if (reply?.ok === false && REFUSED_FOR_NOW.includes(reply.error?.code)) {
      outcome.refusedForNow.push(subject);
      const after = reply.error.retryAfter;
      if (typeof after === 'number') outcome.retryAfterSeconds = Math.max(outcome.retryAfterSeconds ?? 0, after);
    }
  }
  return outcome;
}

/** Waits `ms`, then calls `then`; gives a function that calls it off. */
export type Wait = (ms: number, then: () => void) => () => void;

const wait: Wait = (ms, then) => {
  const timer = setTimeout(then, ms);
  return () => clearTimeout(timer);
};

/**
 * Subscribes to `subjects`, and subscribes again to those refused only for now once the server may take them: a
 * refusal for the live budget says when it opens (`retryAfter`), and is asked again no sooner, backing off as
 * reconnections do ({@link backoffMs}) while refusals go on. `socket` gives the connected socket, or null: a
 * retry falling due while disconnected is dropped, the connection subscribing everything again once back.
 * `onAcknowledged` is called with the subjects of each acknowledgement, and with none when the server's answers
 * leave nothing acknowledged and nothing to ask again (refused for good, or unanswered): nothing more is coming.
 * Returns a function that stops it.
 */
export function subscribeRetrying(
  subjects: readonly Subscription[],
  socket: () => SubscribingSocket | null,
  onAcknowledged: (subjects: Subscription[]) => void,
  after: Wait = wait,
): () => void {
  let stopped = false;
  let refusals = 0;
  let cancel = () => {};
  const attempt = (pending: readonly Subscription[]) => {
    const connected = socket();
    if (stopped || !connected) return;
    void subscribeAll(connected, pending).then(({ acknowledged, refusedForNow, retryAfterSeconds }) => {
      if (stopped) return;
      if (acknowledged.length || !refusedForNow.length) onAcknowledged(acknowledged);
      if (!refusedForNow.length) return;
      refusals += 1;
      cancel = after(backoffMs(refusals, retryAfterSeconds), () => attempt(refusedForNow));
    });
  };
  attempt(subjects);
  return () => {
    stopped = true;
    cancel();
  };
}
