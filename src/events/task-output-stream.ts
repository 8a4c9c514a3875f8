/** A piece of a running attempt's output, as live clients see it (`task.output.delta`). */
export interface TaskOutputDelta {
  taskId: string;
  attempt: number;
  /** 1, 2, 3, … within the attempt: a client appends the deltas in this order. */
  seq: number;
  delta: string;
}

/** How long reported text is held so that deltas leave together: a few events a second, not one per token. */
export const OUTPUT_DELTA_INTERVAL_MS = 50;
/** Held text that reaches this size leaves at once rather than wait for the interval. */
export const OUTPUT_DELTA_MAX_CHARS = 16_384;

/**
 * The output deltas of one attempt: text reported within {@link OUTPUT_DELTA_INTERVAL_MS} leaves as one
 * event, numbered in order. {@link close} sends what is held and ignores anything reported later (an
 * executor that kept going after its attempt ended).
 */
export class TaskOutputStream {
  private held = '';
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly publish: (delta: TaskOutputDelta) => void,
    readonly taskId: string,
    readonly attempt: number,
    private readonly intervalMs = OUTPUT_DELTA_INTERVAL_MS,
  ) {}

  write(text: string): void {
    if (this.closed || !text) return;
    this.held += text;
    if (this.held.length >= OUTPUT_DELTA_MAX_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Sends what is held now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.held) return;
    this.seq += 1;
    const delta = this.held;
    this.held = '';
    this.publish({ taskId: this.taskId, attempt: this.attempt, seq: this.seq, delta });
  }

  /** Sends what is held; later writes are dropped. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
