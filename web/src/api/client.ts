import createClient from 'openapi-fetch';
import { AUTH_PATH, CSRF_HEADER, CSRF_HEADER_VALUE, accessToken, refreshAccessToken, signedOut } from './credentials';
import { asUnreachable } from './errors';
import type { paths } from './schema';

/** Calls whose 401 means "wrong credentials", not "the access token expired". */
const NO_REFRESH = [`${AUTH_PATH}/login`, `${AUTH_PATH}/refresh`, `${AUTH_PATH}/logout`, `${AUTH_PATH}/register`];

/** Requests are same-origin (their default `credentials` sends the refresh cookie to `/api/v1/auth`). */
function withCredentials(request: Request): Request {
  const token = accessToken();
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  if (new URL(request.url).pathname.startsWith(AUTH_PATH)) request.headers.set(CSRF_HEADER, CSRF_HEADER_VALUE);
  return request;
}

/** A 401 `MFA_REQUIRED` (a wrong or missing one-time code) is about the code, not an expired token. */
async function asksForCode(response: Response): Promise<boolean> {
  if (!response.headers.get('Content-Type')?.includes('json')) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: { code?: string } } | null;
  return body?.error?.code === 'MFA_REQUIRED';
}

/**
 * Every API call: adds the access token; on a 401 refreshes once and retries once; when the refresh says the
 * session is over, the user is signed out (and sent back to the sign-in page). When the service could not
 * answer the refresh (a 5xx, a network error), the user stays signed in and the call gets that answer: the page
 * shows it as an error, with its code and request id, and can be tried again. No answer at all rejects with
 * an `UnreachableError`, which says so in words an operator understands.
 */
export async function authorizedFetch(request: Request): Promise<Response> {
  try {
    return await fetchAuthorized(request);
  } catch (err) {
    throw asUnreachable(err);
  }
}

async function fetchAuthorized(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withCredentials(request));
  const path = new URL(request.url).pathname;
  if (response.status !== 401 || NO_REFRESH.includes(path) || (await asksForCode(response))) return response;
  const refreshed = await refreshAccessToken();
  if (refreshed.kind === 'signed-out') {
    signedOut();
    return response;
  }
  if (refreshed.kind === 'unavailable') {
    if (refreshed.response) return refreshed.response();
    throw refreshed.error;
  }
  return fetch(withCredentials(retry));
}

/** The one typed client: paths, bodies and answers come from the committed OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authorizedFetch });
