import { performance } from 'node:perf_hooks';

/** How a batch's window is timed: a timer after `windowMs`, or the end of this turn of the event loop for 0. */
export interface BatchClock {
  schedule(run: () => void, windowMs: number): () => void;
  /** Milliseconds, to time how long a window's sends took. */
  now(): number;
}

/**
 * A window lasts at least this many times as long as sending the last one's batches took, so that sending
 * takes at most a third of the process's time (up to {@link MAX_WINDOW_STRETCH}): with thousands of readers, a
 * window's writes (one per reader) take tens of milliseconds, and windows then stretch, each carrying more
 * events in as many writes, rather than come back to back.
 */
export const WINDOW_PER_SENDING_TIME = 2;
/** The most a window stretches: this many times its set length. */
export const MAX_WINDOW_STRETCH = 4;

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
 * Values gathered by key (a room, a stream) and handed over together, each key's in the order they came: at
 * most once per window of `windowMs` (0: at the end of this turn of the event loop), counted from the last
 * send: a value that comes after a quiet spell (no send for a window's length) leaves at the end of this turn,
 * with the others of the turn; one that comes sooner waits for the rest of the window. A key that reaches
 * `maxBatch` values is sent at once, so a batch never exceeds it. A window whose sends took long makes the next
 * one longer (see {@link WINDOW_PER_SENDING_TIME}), up to {@link MAX_WINDOW_STRETCH} times `windowMs`. What
 * waits is at most one window's values: nothing is kept between windows, and {@link stop} drops it all.
 */
export class EventBatches<K, V> {
  private batches = new Map<K, V[]>();
  private cancel?: () => void;
  /** The next window's length: `windowMs`, or longer after a window whose sends took long. */
  private nextWindowMs: number;
  /** When the last window's sends ended (the clock's milliseconds). */
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly send: (key: K, values: V[]) => void,
    private readonly maxBatch = Number.POSITIVE_INFINITY,
    private readonly clock: BatchClock = TIMERS,
    private readonly onError: (key: K, err: Error) => void = () => undefined,
  ) {
    this.nextWindowMs = windowMs;
  }

  /** Adds `value` to `key`'s batch. */
  add(key: K, value: V): void {
    let batch = this.batches.get(key);
    if (!batch) this.batches.set(key, (batch = []));
    batch.push(value);
    if (batch.length >= this.maxBatch) {
      this.batches.delete(key);
      this.send(key, batch);
    }
    if (this.batches.size === 0 || this.cancel) return;
    // A window's length after the last send: none left after a quiet spell (at the end of this turn, then).
    const waitMs = Math.max(0, this.nextWindowMs - (this.clock.now() - this.lastSentAt));
    this.cancel = this.clock.schedule(() => this.flush(), waitMs);
  }

  /** Drops what waits for `key` (its reader is gone). */
  delete(key: K): void {
    this.batches.delete(key);
  }

  /** How many values wait for `key`. */
  pending(key: K): number {
    return this.batches.get(key)?.length ?? 0;
  }

  /** Keys with values waiting. */
  get size(): number {
    return this.batches.size;
  }

  /** Sends every batch now, key by key in the order the keys came. */
  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    // Added while sending (a send that makes more events): the next window's.
    const batches = this.batches;
    this.batches = new Map();
    const started = this.clock.now();
    // What a send adds waits for the next window, counted from this send.
    this.lastSentAt = started;
    for (const [key, values] of batches)
      try {
        this.send(key, values);
      } catch (err) {
        // One key's failure does not cost the others their batches.
        this.onError(key, err as Error);
      }
    this.lastSentAt = this.clock.now();
    if (this.windowMs > 0) {
      const sending = this.lastSentAt - started;
      this.nextWindowMs = Math.min(
        this.windowMs * MAX_WINDOW_STRETCH,
        Math.max(this.windowMs, Math.round(sending * WINDOW_PER_SENDING_TIME)),
      );
    }
  }

  /** Drops every batch and the pending window (no one listens any longer). */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.batches.clear();
  }
}
