/** How long a client may stay more than the limit behind before it is let go. */
export const SLOW_READER_GRACE_MS = 1000;
/** How far behind a client may fall at most, in multiples of the limit: beyond it, it is let go at once. */
export const SLOW_READER_HARD_FACTOR = 8;

/**
 * The rule for a live client that reads slower than events come (EVENTS_CLIENT_MAX_PENDING): it is let go
 * when more than the limit has waited for it for longer than {@link SLOW_READER_GRACE_MS}, or at once when
 * {@link SLOW_READER_HARD_FACTOR} times the limit waits. A burst (a thousand tasks submitted at once) may pass
 * the limit for a moment without harm; what waits for one client never exceeds the hard bound.
 */
export class SlowReader {
  private behindSince?: number;

  constructor(
    private readonly maxPendingBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a client with `pendingBytes` waiting for it, about to get more, is to be let go. */
  tooFarBehind(pendingBytes: number): boolean {
    if (pendingBytes <= this.maxPendingBytes) {
      this.behindSince = undefined;
      return false;
    }
    if (pendingBytes > this.maxPendingBytes * SLOW_READER_HARD_FACTOR) return true;
    this.behindSince ??= this.now();
    return this.now() - this.behindSince > SLOW_READER_GRACE_MS;
  }
}
