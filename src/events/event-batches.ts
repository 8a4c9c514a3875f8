import { performance } from 'node:perf_hooks';

/** How a batch's window is timed: a timer after `windowMs`, or the end of this turn of the event loop for 0. */
export interface BatchClock {
  schedule(run: () => void, windowMs: number): () => void;
  /** Milliseconds, to time how long sends took. */
  now(): number;
}

/**
 * Windows last at least this many times as long as sending one window's batches takes, so that sending takes at
 * most a third of the process's time (up to {@link MAX_WINDOW_STRETCH}): with thousands of readers, a window's
 * writes (one per reader) take tens of milliseconds, and windows then stretch, each carrying more events in as
 * many writes, rather than come back to back.
 */
export const WINDOW_PER_SENDING_TIME = 3;
/**
 * The most a window stretches: this many times its set length. A value made (a task's state written) that long
 * ago leaves at the latest then, however late it came: see {@link EventBatches.add}.
 */
export const MAX_WINDOW_STRETCH = 2;

export const TIMERS: BatchClock = {
  now: () => performance.now(),
  schedule(run, windowMs) {
    if (windowMs <= 0) {
      const immediate = setImmediate(run);
      return () => clearImmediate(immediate);
    }
    const timeout = setTimeout(run, windowMs);
    return () => clearTimeout(timeout);
  },
};

/**
 * The windows' length for every batch of live events in this process: `windowMs`, stretched while sending takes
 * more than its share of the process's time (see {@link WINDOW_PER_SENDING_TIME}), counted over every send of
 * every {@link EventBatches} given it: the Socket.IO rooms' and the SSE streams' alike, so that both keep to one
 * share together and their windows last the same.
 */
export class BatchWindows {
  /** The windows' length now: `windowMs`, or longer while sending takes more than its share. */
  private currentMs: number;
  /** Time spent sending since `periodStart`; once a window's length has passed, it sets the windows' length. */
  private sendingMs = 0;
  private periodStart: number;

  constructor(
    readonly windowMs: number,
    readonly clock: BatchClock = TIMERS,
  ) {
    this.currentMs = windowMs;
    this.periodStart = clock.now();
  }

  /** The windows' length now, in milliseconds. */
  get length(): number {
    return this.currentMs;
  }

  /** The longest a window lasts (and, while windows stretch, the longest a value waits from when it was made). */
  get longest(): number {
    return this.windowMs * MAX_WINDOW_STRETCH;
  }

  /**
   * Counts a send that began at `started` and ends now. Once a window's length has passed since the last
   * reckoning, the windows are set to {@link WINDOW_PER_SENDING_TIME} times what sending took per window
   * (between `windowMs` and its stretch).
   */
  sent(started: number): void {
    const now = this.clock.now();
    this.sendingMs += now - started;
    const elapsed = now - this.periodStart;
    if (elapsed < Math.max(this.currentMs, 1)) return;
    if (this.windowMs > 0) {
      const sendingPerWindow = (this.sendingMs / elapsed) * this.currentMs;
      this.currentMs = Math.min(
        this.windowMs * MAX_WINDOW_STRETCH,
        Math.max(this.windowMs, Math.round(sendingPerWindow * WINDOW_PER_SENDING_TIME)),
      );
    }
    this.sendingMs = 0;
    this.periodStart = now;
  }
}

/** How long ago, in milliseconds, a time written as ISO 8601 text was (0 for one to come, or not a time). */
export function agoMs(at: string, now = Date.now()): number {
  const ms = now - Date.parse(at);
  return ms > 0 ? ms : 0;
}

/** A key's values waiting for the end of its window, and what cancels that end. */
interface Waiting<V> {
  values: V[];
  cancel?: () => void;
  /** When it is to be sent (by the clock). */
  sendAt?: number;
}

/**
 * Values gathered by key (a room, a stream) and handed over together, each key's in the order they came: each
 * key at most once per window of `windowMs` (0: at the end of this turn of the event loop), counted from that
 * key's last send. A value that comes after a quiet spell (its key not sent for a window's length) leaves at the
 * end of this turn, with the others of the turn; one that comes sooner waits for the rest of its key's window.
 * Every key keeps its own window, so the sends of many keys spread over time instead of all leaving at once: no
 * value waits for the others' sends, only for its own window. A key that reaches `maxBatch` values is sent at
 * once, so a batch never exceeds it. When sending takes more than its share of the time, windows stretch (see
 * {@link BatchWindows}, which batches given the same one share), up to {@link MAX_WINDOW_STRETCH} times
 * `windowMs`, and come back as it falls. What waits is at most one window's values: nothing is kept between
 * windows, and {@link stop} drops it all.
 */
export class EventBatches<K, V> {
  private readonly waiting = new Map<K, Waiting<V>>();
  /** When each key was last sent, the longest ago first; a key sent longer ago than any window lasts is left out. */
  private readonly sentAt = new Map<K, number>();
  private readonly windows: BatchWindows;
  private readonly clock: BatchClock;
  private forgotAt: number;

  /** `windows`: a length in milliseconds (windows of their own, timed by `clock`), or windows shared with others. */
  constructor(
    windows: number | BatchWindows,
    private readonly send: (key: K, values: V[]) => void,
    private readonly maxBatch = Number.POSITIVE_INFINITY,
    clock: BatchClock = TIMERS,
    private readonly onError: (key: K, err: Error) => void = () => undefined,
  ) {
    this.windows = typeof windows === 'number' ? new BatchWindows(windows, clock) : windows;
    this.clock = this.windows.clock;
    this.forgotAt = this.clock.now();
  }

  /**
   * The windows' length now, in milliseconds: `windowMs`, or longer while they stretch. Read-only, for observing
   * the stretch (the tests read it; nothing in the app does).
   */
  get window(): number {
    return this.windows.length;
  }

  /**
   * Adds `value` to `key`'s batch; `age`: how long ago it was made (a task event's state written), in
   * milliseconds, when known. It waits for what is left of its key's window since the key's last send (none
   * after a quiet spell: the end of this turn); but while windows stretch, no longer than keeps it within
   * {@link BatchWindows.longest} of when it was made (a value that came late, the way from its maker to here
   * being slow, does not wait a whole stretched window more), and never less than what is left of the
   * unstretched window (a maker whose clock runs behind cannot make every value leave at once).
   */
  add(key: K, value: V, age = 0): void {
    let batch = this.waiting.get(key);
    if (!batch) this.waiting.set(key, (batch = { values: [] }));
    batch.values.push(value);
    if (batch.values.length >= this.maxBatch) return this.sendNow(key, batch);
    const now = this.clock.now();
    const since = now - (this.sentAt.get(key) ?? Number.NEGATIVE_INFINITY);
    const left = (windowMs: number): number => Math.max(0, windowMs - since);
    const wait = Math.min(left(this.windows.length), Math.max(left(this.windows.windowMs), this.windows.longest - age));
    if (batch.sendAt !== undefined && batch.sendAt <= now + wait) return;
    batch.cancel?.();
    batch.sendAt = now + wait;
    batch.cancel = this.clock.schedule(() => this.sendNow(key, batch), wait);
  }

  /** Drops what waits for `key` (its reader is gone). */
  delete(key: K): void {
    this.waiting.get(key)?.cancel?.();
    this.waiting.delete(key);
    this.sentAt.delete(key);
  }

  /** How many values wait for `key`. */
  pending(key: K): number {
    return this.waiting.get(key)?.values.length ?? 0;
  }

  /** Keys with values waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** Sends every batch now, key by key in the order the keys came. */
  flush(): void {
    for (const [key, batch] of [...this.waiting]) this.sendNow(key, batch);
  }

  /** Drops every batch and their windows (no one listens any longer). */
  stop(): void {
    for (const batch of this.waiting.values()) batch.cancel?.();
    this.waiting.clear();
    this.sentAt.clear();
  }

  private sendNow(key: K, batch: Waiting<V>): void {
    batch.cancel?.();
    if (this.waiting.get(key) === batch) this.waiting.delete(key);
    const started = this.clock.now();
    // What the send adds waits for the key's next window, counted from this send; the latest send goes last.
    this.sentAt.delete(key);
    this.sentAt.set(key, started);
    try {
      this.send(key, batch.values);
    } catch (err) {
      // One key's failure does not cost the others their batches.
      this.onError(key, err as Error);
    }
    this.windows.sent(started);
    this.forget();
  }

  /**
   * Leaves out, once a window's length after the last time, the keys sent longer ago than the longest window:
   * their next value goes at once either way.
   */
  private forget(): void {
    const now = this.clock.now();
    if (now - this.forgotAt < Math.max(this.windows.windowMs, 1)) return;
    this.forgotAt = now;
    const forgetBefore = now - this.windows.windowMs * MAX_WINDOW_STRETCH;
    for (const [key, at] of this.sentAt) {
      if (at > forgetBefore) break;
      this.sentAt.delete(key);
    }
  }
}
