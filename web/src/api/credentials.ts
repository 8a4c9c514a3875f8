/**
 * The signed-in user's access token, in memory only: never in localStorage, sessionStorage or a readable
 * cookie. The refresh token lives in an HttpOnly, SameSite=Strict cookie scoped to `/api/v1/auth`, which the
 * browser sends on its own and no script can read.
 */
export const AUTH_PATH = '/api/v1/auth';
/** Required on every auth call that reads or sets the refresh cookie: a cross-site form cannot send it. */
export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_HEADER_VALUE = 'ymera';

let token: string | null = null;
let refreshing: Promise<boolean> | null = null;
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

/**
 * Exchanges the refresh cookie for a new access token (and a new cookie). Concurrent callers share one
 * request: a refresh token is single-use, and presenting a spent one revokes the whole family.
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${AUTH_PATH}/refresh`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', [CSRF_HEADER]: CSRF_HEADER_VALUE },
        body: JSON.stringify({ useCookie: true }),
      });
      if (!response.ok) return false;
      const body = (await response.json()) as { data?: { accessToken?: string } };
      token = body.data?.accessToken ?? null;
      return token !== null;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}
