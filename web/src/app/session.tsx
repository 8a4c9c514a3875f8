import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client';
import { onSignedOut, refreshAccessToken, setAccessToken } from '../api/credentials';
import { unwrap } from '../api/errors';
import type { components } from '../api/schema';
import { forgetDrafts, keepDrafts } from './drafts';
import { disconnectLiveEvents } from './live-events';
import { type SessionChannel, openSessionChannel } from './session-channel';
import { isUnavailable, retryDelayMs } from './session-restore';

export type Me = components['schemas']['MeDto'];

export type Credentials = components['schemas']['LoginDto'];

type SessionState =
  | { status: 'loading' }
  /**
   * `ended`: the service ended the session the user had (a refresh refused: signed out elsewhere, their password
   * or role changed), not a first visit or their own sign-out; the sign-in page says so. `byHand`: they signed
   * out here, by their own hand; the sign-in page does not lead back to the page they left (the next person to
   * sign in on this browser would land on it).
   */
  | { status: 'signed-out'; ended?: boolean; byHand?: boolean }
  | { status: 'signed-in'; me: Me }
  /**
   * The service could not answer while the session was being restored (a 5xx, no answer): nothing is known of
   * the session, and it is asked again after `retryInMs` (or at once by {@link Session.retry}).
   */
  | { status: 'unavailable'; error: Error; failures: number; retryInMs: number; retrying: boolean };

interface Session {
  state: SessionState;
  /** Signs in; throws the API's error (401 `UNAUTHENTICATED`, 401 `MFA_REQUIRED`, 429 with its wait). */
  signIn(credentials: Credentials): Promise<void>;
  /** Revokes the refresh token on the server, then forgets everything held in memory. */
  signOut(): Promise<void>;
  /** While the service is unavailable: asks again now rather than at the next scheduled try. */
  retry(): void;
}

const SessionContext = createContext<Session | null>(null);

async function loadMe(): Promise<Me> {
  return unwrap(await api.GET('/api/v1/auth/me'));
}

type Restored =
  { kind: 'signed-in'; me: Me } | { kind: 'signed-out'; ended?: boolean } | { kind: 'unavailable'; error: Error };

/** A page load has no access token: the refresh cookie, when there is one, brings the session back. */
async function restoreSession(): Promise<Restored> {
  const refreshed = await refreshAccessToken();
  if (refreshed.kind !== 'refreshed') return refreshed;
  try {
    return { kind: 'signed-in', me: await loadMe() };
  } catch (err) {
    const error = err instanceof Error ? err : new Error('The service did not answer');
    return isUnavailable(err) ? { kind: 'unavailable', error } : { kind: 'signed-out' };
  }
}

/**
 * The signed-in user: restored from the refresh cookie on load, gone on sign-out or when a refresh says the
 * session is over. An outage (the refresh answered with a 5xx, or not at all) signs no one out: the session is
 * asked for again, less and less often, until the service answers.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  /** Bumped to restore the session again (after an outage). */
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    void restoreSession().then((restored) => {
      if (!active) return;
      setState((current) => {
        if (restored.kind === 'signed-in') return { status: 'signed-in', me: restored.me };
        // A refresh cookie refused on load (the session was ended while no page was open) says so too.
        if (restored.kind === 'signed-out') return { status: 'signed-out', ended: restored.ended };
        const failures = (current.status === 'unavailable' ? current.failures : 0) + 1;
        const retryInMs = retryDelayMs(failures, restored.error);
        return { status: 'unavailable', error: restored.error, failures, retryInMs, retrying: false };
      });
    });
    return () => {
      active = false;
    };
  }, [attempt]);

  const retry = useCallback(() => {
    setState((current) => (current.status === 'unavailable' ? { ...current, retrying: true } : current));
    setAttempt((n) => n + 1);
  }, []);

  const unavailable = state.status === 'unavailable' && !state.retrying ? state : null;
  useEffect(() => {
    if (!unavailable) return;
    const timer = setTimeout(retry, unavailable.retryInMs);
    return () => clearTimeout(timer);
  }, [unavailable, retry]);

  /** Who is signed in, for the drafts their session's end keeps. */
  const signedInAs = useRef<string | null>(null);
  useEffect(() => {
    signedInAs.current = state.status === 'signed-in' ? state.me.id : null;
  }, [state]);

  useEffect(
    () =>
      onSignedOut(() => {
        if (signedInAs.current) keepDrafts(signedInAs.current);
        disconnectLiveEvents();
        queryClient.clear();
        // Each call refused meanwhile says so too: the first one ended the session.
        setState((current) =>
          current.status === 'signed-out' ? current : { status: 'signed-out', ended: current.status === 'signed-in' },
        );
      }),
    [queryClient],
  );

  // The other tabs: a sign-out there ends the session here too (its access token would otherwise work on for
  // minutes, its forms still sending); a sign-in there brings this tab back if it was signed out.
  const channel = useRef<SessionChannel | null>(null);
  const signedOutHere = useRef(false);
  useEffect(() => {
    signedOutHere.current = state.status === 'signed-out';
  }, [state.status]);
  useEffect(() => {
    const opened = openSessionChannel((news) => {
      if (news === 'signed-out') {
        // A sign-out by the user's own hand, in another tab: nothing is kept, here either.
        forgetDrafts();
        setAccessToken(null);
        disconnectLiveEvents();
        queryClient.clear();
        setState({ status: 'signed-out' });
      } else if (signedOutHere.current) {
        setState({ status: 'loading' });
        setAttempt((n) => n + 1);
      }
    });
    channel.current = opened;
    return () => {
      channel.current = null;
      opened.close();
    };
  }, [queryClient]);

  const signIn = useCallback(async (credentials: Credentials) => {
    // The refresh token comes back as an HttpOnly cookie; only the access token is kept, in memory.
    const tokens = unwrap(await api.POST('/api/v1/auth/login', { body: { ...credentials, useCookie: true } }));
    setAccessToken(tokens.accessToken);
    setState({ status: 'signed-in', me: await loadMe() });
    channel.current?.announce('signed-in');
  }, []);

  const signOut = useCallback(async () => {
    try {
      // The queue board's cookie (path-scoped to the board, so only the API can clear it) goes too.
      if (state.status === 'signed-in' && state.me.permissions.includes('queues:manage')) {
        await api.DELETE('/api/v1/queues/board-session').catch(() => undefined);
      }
      // Revokes the refresh token (read from the cookie) and its family, and clears the cookie.
      await api.POST('/api/v1/auth/logout', { body: {} });
    } finally {
      forgetDrafts();
      setAccessToken(null);
      disconnectLiveEvents();
      queryClient.clear();
      setState({ status: 'signed-out', byHand: true });
      channel.current?.announce('signed-out');
    }
  }, [queryClient, state]);

  const value = useMemo(() => ({ state, signIn, signOut, retry }), [state, signIn, signOut, retry]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): Session {
  const session = use(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider');
  return session;
}

/** The signed-in user (inside the signed-in part of the app). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in user');
  return state.me;
}
