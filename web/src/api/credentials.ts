/**
 * The signed-in user's access token, in memory only: never in localStorage, sessionStorage or a readable
 * cookie. The refresh token lives in an HttpOnly, SameSite=Strict cookie scoped to `/api/v1/auth`, which the
 * browser sends on its own and no script can read.
 */
import { toApiError } from './errors';
import { oneTabAtATime } from './tab-lock';

export const AUTH_PATH = '/api/v1/auth';
/** Required on every auth call that reads or sets the refresh cookie: a cross-site form cannot send it. */
export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_HEADER_VALUE = 'ymera';

/**
 * What a refresh came to: a new access token; signed out (the refresh token is missing, invalid, spent or
 * refused: 400, 401, 403, or no token to refresh at all: 204); or the service could not answer (a 5xx, a 429, a network error), which says nothing
 * about the session: the user stays signed in and the console asks again later.
 */
export type RefreshOutcome =
  | { kind: 'refreshed' }
  /** `ended`: a refresh token was presented and refused (401): the session it held was ended, not never begun. */
  | { kind: 'signed-out'; ended?: boolean }
  | {
      kind: 'unavailable';
      /** An {@link ApiError} with the answer's code and request id, or the network error. */
      error: Error;
      /** The answer, to hand on to the call that asked (each caller gets its own copy). */
      response?: () => Response;
    };

/** The statuses of a refresh that mean the session is over; any other failure is the service's. */
export const SIGNED_OUT_STATUSES: readonly number[] = [400, 401, 403];

let token: string | null = null;
let refreshing: Promise<RefreshOutcome> | null = null;
const signedOutListeners = new Set<() => void>();

export function accessToken(): string | null {
  return token;
}

export function setAccessToken(next: string | null): void {
  token = next;
}

/** Called when a refresh fails: the app goes back to the sign-in page. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export function signedOut(): void {
  token = null;
  for (const listener of signedOutListeners) listener();
}

/** A failed refresh's answer, kept (the body read once) so each caller can be handed a copy. */
async function unavailable(response: Response): Promise<RefreshOutcome> {
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not the API's envelope (a proxy's error page): the status says enough.
  }
  const copy = () =>
    new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  return { kind: 'unavailable', error: toApiError(body, copy()), response: copy };
}

/** The lock every tab of the console takes to spend the refresh cookie. */
export const REFRESH_LOCK = 'ymera:refresh';

/** Spends the refresh cookie: the answer sets the next one (the browser stores it before the answer is read). */
async function exchangeCookie(): Promise<RefreshOutcome> {
  try {
    const response = await fetch(`${AUTH_PATH}/refresh`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', [CSRF_HEADER]: CSRF_HEADER_VALUE },
      body: JSON.stringify({ useCookie: true }),
    });
    if (SIGNED_OUT_STATUSES.includes(response.status)) return { kind: 'signed-out', ended: response.status === 401 };
    if (!response.ok) return await unavailable(response);
    // No content: there was no session to restore (no refresh cookie), which is no failure.
    if (response.status === 204) return { kind: 'signed-out' };
    const body = (await response.json()) as { data?: { accessToken?: string } };
    token = body.data?.accessToken ?? null;
    return token !== null ? { kind: 'refreshed' } : { kind: 'signed-out' };
  } catch (err) {
    // No answer at all (offline, the server restarting, a body cut short).
    return { kind: 'unavailable', error: err instanceof Error ? err : new Error('The service did not answer') };
  }
}

/**
 * Exchanges the refresh cookie for a new access token (and a new cookie). A refresh token is single-use, and
 * presenting a spent one revokes the whole family (every tab is signed out). So concurrent callers in a tab share
 * one request, and tabs take turns: the browser shares the cookie between them, and a tab that refreshes after
 * another (both loaded or woken at once) must send the cookie the other's refresh set, not the one it spent.
 */
export function refreshAccessToken(): Promise<RefreshOutcome> {
  refreshing ??= oneTabAtATime(REFRESH_LOCK, exchangeCookie).finally(() => {
    refreshing = null;
  });
  return refreshing;
}
