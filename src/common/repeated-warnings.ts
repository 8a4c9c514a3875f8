/** Where a warning goes: a Nest logger, or anything with its `warn`. */
export interface WarningSink {
  warn(message: string): void;
}

/** Distinct messages remembered at most: a flood of ever-new messages is still bounded. */
const MAX_MESSAGES = 100;

/**
 * A warning that repeats while a dependency is down (each reconnection attempt of each connection, each poll of
 * each queue worker) is logged once per `windowMs`, then again with how many times it came meanwhile: an
 * outage is visible without a line for every retry.
 */
export class RepeatedWarnings {
  private readonly seen = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly sink: WarningSink,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(message: string): void {
    const at = this.now();
    const last = this.seen.get(message);
    if (last && at - last.at < this.windowMs) {
      last.since += 1;
      return;
    }
    this.seen.delete(message);
    if (this.seen.size >= MAX_MESSAGES) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(message, { at, since: 0 });
    this.sink.warn(last?.since ? `${message} (${last.since} more since ${new Date(last.at).toISOString()})` : message);
  }
}
