/** An error answered by the API, read from its envelope: `{status: "error", error: {code, message, details?}, meta}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly details: { field?: string; message: string }[] = [],
    /** Seconds to wait, from `Retry-After` (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** What a page says when the API could not be reached at all: no answer, not even an error. */
export const UNREACHABLE_MESSAGE =
  'Could not reach the YMERA API: check your connection, or whether the service is running';

/** No answer from the API at all (offline, the server down or restarting, the connection cut). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';

  constructor(cause?: unknown) {
    super(UNREACHABLE_MESSAGE, { cause });
  }
}

/** The browsers' words for a request that got no answer: Chromium's, Firefox's, Safari's and fetch polyfills'. */
const NO_ANSWER =
  /^(Failed to fetch|NetworkError when attempting to fetch resource|Load failed|Network request failed)\.?$/i;

/** Whether a failure is a request that got no answer (not an answer that refused it, not an aborted request). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof UnreachableError || (error instanceof TypeError && NO_ANSWER.test(error.message));
}

/**
 * A rejected `fetch` as the console says it: `fetch` rejects with a `TypeError` when no answer came, which
 * becomes an {@link UnreachableError}; anything else (an aborted request) is kept as it is.
 */
export function asUnreachable(error: unknown): unknown {
  return error instanceof TypeError ? new UnreachableError(error) : error;
}

/** A failure's message for the page: the one it carries, {@link UNREACHABLE_MESSAGE} for no answer, or `fallback`. */
export function errorMessage(error: unknown, fallback = 'Unknown error'): string {
  if (isUnreachable(error)) return UNREACHABLE_MESSAGE;
  return error instanceof Error && error.message ? error.message : fallback;
}

interface ErrorEnvelope {
  error?: { code?: string; message?: string; details?: { field?: string; message: string }[] };
  meta?: { requestId?: string };
}

function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('Retry-After');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The error of a failed openapi-fetch call (`{error, response}`), whatever the body was. */
export function toApiError(body: unknown, response: Response): ApiError {
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as ErrorEnvelope;
  return new ApiError(
    response.status,
    envelope.error?.code ?? `HTTP_${response.status}`,
    envelope.error?.message ?? (response.statusText || 'The request failed'),
    envelope.meta?.requestId ?? response.headers.get('X-Request-Id') ?? undefined,
    envelope.error?.details ?? [],
    retryAfter(response),
  );
}

/** Unwraps `{data, error, response}`: the envelope's `data`, or an {@link ApiError}. */
export function unwrap<T>(result: { data?: { data: T }; error?: unknown; response: Response }): T {
  if (result.data !== undefined) return result.data.data;
  throw toApiError(result.error, result.response);
}

/** "in 45 seconds", "in 3 minutes": a wait in words. */
export function waitInWords(seconds: number): string {
  if (seconds < 90) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/**
 * The API's `details` on a form's fields: `fieldOf` names the field a pointer is on and the rest of the pointer
 * inside it (kept before the message), or null for a pointer the form has no field for (kept in `other`); two
 * messages on one field are joined.
 */
export function detailsOnFields<F extends string>(
  details: readonly { field?: string; message: string }[],
  fieldOf: (pointer: string | undefined) => { field: F; rest: string } | null,
): { fields: Partial<Record<F, string>>; other: string[] } {
  const errors: { fields: Partial<Record<F, string>>; other: string[] } = { fields: {}, other: [] };
  for (const { field, message } of details) {
    const found = fieldOf(field);
    if (!found) {
      errors.other.push(field ? `${field}: ${message}` : message);
      continue;
    }
    const text = found.rest ? `${found.rest}: ${message}` : message;
    const current = errors.fields[found.field];
    errors.fields[found.field] = current ? `${current}; ${text}` : text;
  }
  return errors;
}

/** Whether asking again may help: no answer at all, a timeout, a rate limit or a server error. */
export function askingAgainMayHelp(error: unknown): boolean {
  const status = error instanceof ApiError ? error.status : undefined;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}
