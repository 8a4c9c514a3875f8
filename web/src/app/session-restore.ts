import { ApiError } from '../api/errors';
import { backoffMs } from './backoff';

/**
 * Whether a failed call says the service could not answer (a 5xx, a 429, no answer at all) rather than
 * something about the session: such a failure signs no one out.
 */
export function isUnavailable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500 || error.status === 429;
}

/** How long to wait before trying the n-th time again (n from 1): see {@link backoffMs}, `Retry-After` heeded. */
export function retryDelayMs(failures: number, error: unknown): number {
  return backoffMs(failures, error instanceof ApiError ? error.retryAfterSeconds : undefined);
}
