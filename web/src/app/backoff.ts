/** The first wait before asking again after the service refused or did not answer, and the longest. */
export const FIRST_RETRY_MS = 2_000;
export const LONGEST_RETRY_MS = 30_000;
/** A wait the server asks for is heeded up to this. */
const LONGEST_ASKED_MS = 5 * 60_000;

/**
 * How long to wait before trying the n-th time again (n from 1): doubling from 2 s up to 30 s, and never sooner
 * than the server asked (`retryAfterSeconds`: a `Retry-After`, a live refusal's `retryAfter`).
 */
export function backoffMs(failures: number, retryAfterSeconds?: number): number {
  const backoff = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  const asked = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : 0;
  return Math.max(backoff, Math.min(asked, LONGEST_ASKED_MS));
}
