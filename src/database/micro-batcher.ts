/** Runs a batch of items as one operation; returns one result per item, in the same order. */
export type BatchRunner<I, O> = (items: I[]) => Promise<O[]>;

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export interface MicroBatcherOptions<I> {
  /** The most items in one batch. */
  maxSize?: number;
  /** Batches running at once; items arriving meanwhile wait and leave together in the next one. */
  maxInFlight?: number;
  /** Items with the same key never share a batch (one statement must not touch a row twice). */
  keyOf?: (item: I) => string;
  /**
   * Whether a failed batch of several items is retried item by item (the default). Off where a failure
   * may have applied part of the batch and a retry would apply it twice.
   */
  retryEachItem?: boolean;
}

/**
 * Coalesces calls made close together into one operation: everything submitted in the same turn of the
 * event loop, or while earlier batches are still running, goes out as one batch. Under load one statement
 * then carries the state changes of many tasks instead of one each. A failed batch of several items is
 * retried item by item, so one bad item fails alone (unless `retryEachItem` is off).
 */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxSize: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions<I> = {},
  ) {
    this.maxSize = options.maxSize ?? 500;
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length) {
      const batch = this.take();
      this.inFlight += 1;
      void this.execute(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  /** The next batch: in order, up to maxSize, leaving items whose key is already in it for a later one. */
  private take(): Pending<I, O>[] {
    const keyOf = this.options.keyOf;
    if (!keyOf) return this.queue.splice(0, this.maxSize);
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (const pending of this.queue) {
      const key = keyOf(pending.item);
      if (batch.length < this.maxSize && !keys.has(key)) {
        keys.add(key);
        batch.push(pending);
      } else rest.push(pending);
    }
    this.queue = rest;
    return batch;
  }

  private async execute(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1 || this.options.retryEachItem === false) {
        for (const p of batch) p.reject(err);
        return;
      }
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve((await this.run([p.item]))[0]);
          } catch (itemErr) {
            p.reject(itemErr);
          }
        }),
      );
    }
  }
}
