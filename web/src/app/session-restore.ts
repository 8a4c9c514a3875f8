import { ApiError } from '../api/errors';

/** The first wait before asking again after the service could not answer, and the longest. */
export const FIRST_RETRY_MS = 2_000;
export const LONGEST_RETRY_MS = 30_000;

/**
 * Whether a failed call says the service could not answer (a 5xx, a 429, no answer at all) rather than
 * something about the session: such a failure signs no one out.
 */
export function isUnavailable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500 || error.status === 429;
}

/**
 * How long to wait before trying the n-th time again (n from 1): doubling from 2 s up to 30 s, and never sooner
 * than the server's `Retry-After`.
 */
export function retryDelayMs(failures: number, error: unknown): number {
  const backoff = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  const asked = error instanceof ApiError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
  return Math.max(backoff, Math.min(asked, 5 * 60_000));
}
