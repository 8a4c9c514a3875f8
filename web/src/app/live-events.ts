import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Socket } from 'socket.io-client';
import { accessToken, refreshAccessToken, signedOut } from '../api/credentials';
import {
  type LiveEvent,
  liveEventsOf,
  SOCKET_EVENTS,
  type SocketEventName,
  type Subscription,
  subscribeBody,
  subscribeRetrying,
} from './live-subjects';
import { backoffMs } from './backoff';
import { type CatchUp, type LiveConnection, type LivePause, livePause } from './live-status';

export type { LiveEvent, LiveEventName, Subscription } from './live-subjects';

let socket: Promise<Socket> | null = null;
/** A connection refused for the user's live budget, to be made again once that opens. */
let retry: ReturnType<typeof setTimeout> | undefined;

/** How long the server has to acknowledge a subscription before it is taken as not made. */
const SUBSCRIBE_ACK_TIMEOUT_MS = 10_000;

/** How the connection stands, for the pages that say when their live updates are paused. */
let connection: LiveConnection = { state: 'connecting', since: Date.now() };
const watchers = new Set<() => void>();

function setConnection(next: LiveConnection): void {
  connection = next;
  for (const watcher of watchers) watcher();
}

function watchConnection(watcher: () => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** One Socket.IO connection to `/events` for the whole console, opened on first use (its own chunk). */
function connect(): Promise<Socket> {
  if (!socket) setConnection({ state: 'connecting', since: Date.now() });
  socket ??= import('socket.io-client').then(({ io }) => {
    const mine = socket;
    const s = io('/events', {
      path: '/socket.io',
      transports: ['websocket'],
      // A connection closed before its handshake (a proxy or a stopping server dropping it) is no error to
      // Socket.IO: it waits this long before trying again (20 s by default). The handshake is one packet.
      timeout: 5_000,
      // Read on every (re)connection: the access token changes on refresh.
      auth: (cb) => cb({ token: accessToken() }),
    });
    // The server ends the connection of a user whose role or password changed, or who was deactivated, and
    // refuses a token that no longer holds when the client connects again on its own: connect again as who the
    // user now is (pages subscribe again on connect), or go back to the sign-in page.
    // Once until it connects: a new token that is refused too signs out rather than refreshing without end.
    // A refresh the service could not answer (an outage) signs no one out: it is asked again, less and less often.
    let retried = false;
    let unavailable = 0;
    let refusedUnavailable = 0;
    s.on('connect', () => {
      retried = false;
      refusedUnavailable = 0;
      setConnection({ state: 'up' });
    });
    const again = () => {
      if (retried) return signedOut();
      retried = true;
      void refreshAccessToken().then((outcome) => {
        if (outcome.kind === 'signed-out') return signedOut();
        if (outcome.kind === 'refreshed') {
          unavailable = 0;
          return void s.connect();
        }
        unavailable += 1;
        setTimeout(() => {
          retried = false;
          if (socket === mine) again();
        }, backoffMs(unavailable));
      });
    };
    s.on('disconnect', (reason) => {
      // Closed by the console itself (signing out): no page is left to tell.
      if (reason !== 'io client disconnect' && socket === mine) setConnection({ state: 'lost', since: Date.now() });
      if (reason === 'io server disconnect') again();
    });
    s.on('connect_error', (err: Error & { data?: { retryAfter?: number } }) => {
      if (err.message === 'UNAUTHENTICATED') again();
      // Refused for the user's live budget: Socket.IO does not retry a refusal itself, so connect once it opens.
      else if (err.message === 'RATE_LIMITED')
        retry = setTimeout(() => s.connect(), (err.data?.retryAfter ?? 60) * 1000);
      // The live budget could not be checked (the server's Redis is away): neither is this retried by
      // Socket.IO, so connect again, less and less often, until it can be.
      else if (err.message === 'SERVICE_UNAVAILABLE') {
        refusedUnavailable += 1;
        retry = setTimeout(() => s.connect(), backoffMs(refusedUnavailable, err.data?.retryAfter));
      }
    });
    return s;
  });
  return socket;
}

/**
 * How many mounted hooks follow each subject (by its JSON). Rooms belong to the one connection, not to a
 * hook: the room is left when the last hook following it goes.
 */
const followers = new Map<string, number>();

function follow(key: string): void {
  followers.set(key, (followers.get(key) ?? 0) + 1);
}

function unfollow(key: string, subject: Subscription): void {
  const left = (followers.get(key) ?? 1) - 1;
  if (left > 0) {
    followers.set(key, left);
    return;
  }
  followers.delete(key);
  // A disconnected socket has no rooms left to leave (and would send this on reconnecting).
  void socket?.then((s) => {
    if (!followers.has(key) && s.connected) s.emit('unsubscribe', subscribeBody(subject));
  });
}

/** Closes the connection (on sign-out). */
export function disconnectLiveEvents(): void {
  clearTimeout(retry);
  void socket?.then((s) => s.disconnect());
  socket = null;
}

/** The console's live connection, as it stands (see live-status.ts). */
export function useLiveConnection(): LiveConnection {
  return useSyncExternalStore(watchConnection, () => connection);
}

/**
 * Calls `onEvents` with the events of `subscription` (one subject, or several: a list following many agents
 * takes one listener, not one per agent), batched per animation frame: a page writes them into the query
 * cache (`queryClient.setQueryData`), never into state of its own. An agent's events come from the server in
 * batches (`tasks.updated`) and are handed over as the `task.updated` events they hold; a page showing a task
 * of an agent it also follows may get that task's events twice (from the task's room and the agent's batch),
 * each write the same state again. Unmounted, it unsubscribes (from each
 * subject no other mounted hook follows).
 *
 * `onSubscribed` is called once the server has acknowledged the subscription (and again after each
 * reconnection, rooms being joined anew), with the subjects it acknowledged: an event published before then
 * reached no one, so the page reads what they cover again, once (a task that finished meanwhile). The server's
 * `resync` (events were lost while its Redis was away) calls it too, with every subject. Subjects
 * refused for the user's live budget (`RATE_LIMITED`) are subscribed again once it opens, and acknowledged then.
 *
 * Returns whether the page's live updates are paused (null when they are not, or it follows nothing): while the
 * connection is down, and after a reconnection or a `resync` until what the page shows is read again (the
 * promise `onSubscribed` returns settles). Pages say so with LivePausedNotice.
 */
export function useLiveEvents(
  subscription: Subscription | readonly Subscription[] | null,
  onEvents: (events: LiveEvent[]) => void,
  onSubscribed?: (subjects: Subscription[]) => unknown,
): LivePause | null {
  const handler = useRef(onEvents);
  const subscribed = useRef(onSubscribed);
  useEffect(() => {
    handler.current = onEvents;
    subscribed.current = onSubscribed;
  });
  const subjects = subscription === null ? [] : Array.isArray(subscription) ? subscription : [subscription];
  const keys = JSON.stringify(subjects);
  const live = useLiveConnection();
  const [catchUp, setCatchUp] = useState<CatchUp | null>(null);

  useEffect(() => {
    const followed = (JSON.parse(keys) as Subscription[]).map((subject) => ({ subject, key: JSON.stringify(subject) }));
    if (!followed.length) return;
    let pending: LiveEvent[] = [];
    let frame = 0;
    let closed = false;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = [];
      if (batch.length && !closed) handler.current(batch);
    };
    const listeners = SOCKET_EVENTS.map((name: SocketEventName) => {
      const listener = (payload: unknown) => {
        pending.push(...liveEventsOf(name, payload));
        frame ||= requestAnimationFrame(flush);
      };
      return [name, listener] as const;
    });
    let current: Socket | null = null;
    let stopRetrying = () => {};
    // Paused from a connection lost (already lost when the page opened, or lost since) until it is read again.
    let lostAt = connection.state === 'lost' ? connection.since : null;
    let catchingUp = 0;
    const startCatchUp = (next: CatchUp) => {
      catchingUp += 1;
      setCatchUp((now) => now ?? next);
      return catchingUp;
    };
    /** Reads again what the page shows; the pause ends once that is done, unless another began meanwhile. */
    const reread = (subjects: Subscription[], which: number) => {
      void Promise.resolve(subjects.length ? subscribed.current?.(subjects) : undefined)
        .catch(() => undefined)
        .then(() => {
          if (!closed && which === catchingUp) setCatchUp(null);
        });
    };
    const lost = () => {
      lostAt ??= Date.now();
    };
    // Rooms do not survive a reconnection: subscribe again on each, and catch up on what was missed meanwhile.
    // Subjects refused for the user's live budget are asked for again once it opens (paused until then).
    const subscribe = () => {
      const s = current;
      if (!s) return;
      stopRetrying();
      const which = lostAt === null ? catchingUp : startCatchUp({ reason: 'reconnected', since: lostAt });
      lostAt = null;
      stopRetrying = subscribeRetrying(
        followed.map(({ subject }) => subject),
        () => (s.connected ? s.timeout(SUBSCRIBE_ACK_TIMEOUT_MS) : null),
        (acknowledged) => {
          if (!closed) reread(acknowledged, which);
        },
      );
    };
    // Events the server could not deliver (its Redis was away): read what the page shows again, as after a
    // subscription.
    const resync = () => {
      if (closed) return;
      reread(
        followed.map(({ subject }) => subject),
        startCatchUp({ reason: 'missed', since: Date.now() }),
      );
    };
    for (const { key } of followed) follow(key);
    void connect().then((s) => {
      if (closed) return;
      current = s;
      for (const [name, listener] of listeners) s.on(name, listener);
      s.on('resync', resync);
      s.on('disconnect', lost);
      s.on('connect', subscribe);
      if (s.connected) subscribe();
    });
    return () => {
      closed = true;
      stopRetrying();
      if (frame) cancelAnimationFrame(frame);
      if (current) {
        for (const [name, listener] of listeners) current.off(name, listener);
        current.off('connect', subscribe);
        current.off('disconnect', lost);
        current.off('resync', resync);
      }
      setCatchUp(null);
      // Left, the page no longer receives the events of what it stopped showing.
      for (const { key, subject } of followed) unfollow(key, subject);
    };
  }, [keys]);

  const following = subjects.length > 0;
  // The same object while nothing changes: a page's notice times a pause by it.
  return useMemo(() => (following ? livePause(live, catchUp) : null), [following, live, catchUp]);
}
