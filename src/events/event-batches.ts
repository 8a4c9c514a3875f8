/** How a batch's window is timed: a timer after `windowMs`, or the end of this turn of the event loop for 0. */
export interface BatchClock {
  schedule(run: () => void, windowMs: number): () => void;
}

export const TIMERS: BatchClock = {
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
 * most once per window of `windowMs` (0: at the end of this turn of the event loop). The window opens with the
 * first value after a send, so a lone value waits one window at most; a key that reaches `maxBatch` values is
 * sent at once, so a batch never exceeds it. What waits is at most one window's values: nothing is kept
 * between windows, and {@link stop} drops it all.
 */
export class EventBatches<K, V> {
  private batches = new Map<K, V[]>();
  private cancel?: () => void;

  constructor(
    private readonly windowMs: number,
    private readonly send: (key: K, values: V[]) => void,
    private readonly maxBatch = Number.POSITIVE_INFINITY,
    private readonly clock: BatchClock = TIMERS,
    private readonly onError: (key: K, err: Error) => void = () => undefined,
  ) {}

  /** Adds `value` to `key`'s batch. */
  add(key: K, value: V): void {
    let batch = this.batches.get(key);
    if (!batch) this.batches.set(key, (batch = []));
    batch.push(value);
    if (batch.length >= this.maxBatch) {
      this.batches.delete(key);
      this.send(key, batch);
    }
    if (this.batches.size > 0) this.cancel ??= this.clock.schedule(() => this.flush(), this.windowMs);
  }

  /** Drops what waits for `key` (its reader is gone). */
  delete(key: K): void {
    this.batches.delete(key);
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
    for (const [key, values] of batches)
      try {
        this.send(key, values);
      } catch (err) {
        // One key's failure does not cost the others their batches.
        this.onError(key, err as Error);
      }
  }

  /** Drops every batch and the pending window (no one listens any longer). */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.batches.clear();
  }
}
