import { ApiError, errorMessage } from '../api/errors';

/**
 * What a page says when the address it was opened at holds no valid id (`/tasks/not-a-uuid`): as plain as a 404,
 * since no item can have such an id.
 */
export const NO_SUCH_ID = 'Nothing has this id: the id in the address is not a valid one. Check the link.';

/**
 * Whether the server refused the address itself: a 400 whose detail names `path` (an id in the path that is no
 * UUID, or text in it that cannot be stored), which no retry mends.
 */
export function isMalformedAddress(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && error.details.some((d) => d.field === 'path');
}

/** The words of a failed request: {@link NO_SUCH_ID} for a malformed address, else what the server said. */
export function failureWords(error: unknown, fallback?: string): string {
  if (isMalformedAddress(error)) return NO_SUCH_ID;
  if (error instanceof ApiError) return error.message;
  return fallback ?? errorMessage(error);
}

/** The error code and request id an operator can search the logs for, when the server answered. */
export function errorReference(error: unknown): { code: string; requestId?: string } | null {
  if (!(error instanceof ApiError)) return null;
  return error.requestId ? { code: error.code, requestId: error.requestId } : { code: error.code };
}
