import { ApiError, waitInWords } from '../api/errors';
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

/** What the page that stands in for the console says while the session cannot be restored. */
export interface UnavailableWords {
  /** The document's title, before " · YMERA". */
  pageTitle: string;
  /** The page's heading. */
  heading: string;
  /** The error's title. */
  title: string;
  /** What the page says it waits for before it comes back by itself. */
  until: string;
}

/**
 * Why the session cannot be restored, in words: a rate limit (429) is an answer, the service asking for fewer
 * requests until `retryInMs` has passed (its Retry-After heeded); anything else is the service not answering.
 */
export function unavailableWords(error: unknown, retryInMs: number): UnavailableWords {
  if (error instanceof ApiError && error.status === 429) {
    return {
      pageTitle: 'Requests limited',
      heading: 'Requests to YMERA are being limited',
      title: `Too many requests for now: try again in ${waitInWords(Math.ceil(retryInMs / 1000))}`,
      until: 'the service takes requests again',
    };
  }
  return {
    pageTitle: 'Unavailable',
    heading: 'YMERA is unavailable',
    title: 'The service could not be reached',
    until: 'the service answers',
  };
}
