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
  private recheck?: NodeJS.Timeout;

  /**
   * `overdue` is called once the grace has passed for a client still behind, so that one that fell behind on
   * the last events of a burst is judged even when no event follows: it checks again and lets the client go.
   */
  constructor(
    private readonly maxPendingBytes: number,
    private readonly now: () => number = Date.now,
    private readonly overdue?: () => void,
  ) {}

  /** Whether a client with `pendingBytes` waiting for it, about to get more, is to be let go. */
  tooFarBehind(pendingBytes: number): boolean {
    if (pendingBytes <= this.maxPendingBytes) {
      this.behindSince = undefined;
      this.stop();
      return false;
    }
    if (pendingBytes > this.maxPendingBytes * SLOW_READER_HARD_FACTOR) return true;
    if (this.behindSince === undefined) {
      this.behindSince = this.now();
      if (this.overdue) {
        this.recheck = setTimeout(this.overdue, SLOW_READER_GRACE_MS + 1);
        this.recheck.unref();
      }
    }
    return this.now() - this.behindSince > SLOW_READER_GRACE_MS;
  }

  /** Drops the pending check (the client is gone, or caught up). */
  stop(): void {
    clearTimeout(this.recheck);
    this.recheck = undefined;
  }
}
