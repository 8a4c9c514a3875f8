import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { onSignedOut, refreshAccessToken, setAccessToken } from '../api/credentials';
import { unwrap } from '../api/errors';
import type { components } from '../api/schema';
import { disconnectLiveEvents } from './live-events';

export type Me = components['schemas']['MeDto'];

export type Credentials = components['schemas']['LoginDto'];

type SessionState = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; me: Me };

interface Session {
  state: SessionState;
  /** Signs in; throws the API's error (401 `UNAUTHENTICATED`, 401 `MFA_REQUIRED`, 429 with its wait). */
  signIn(credentials: Credentials): Promise<void>;
  /** Revokes the refresh token on the server, then forgets everything held in memory. */
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

async function loadMe(): Promise<Me> {
  return unwrap(await api.GET('/api/v1/auth/me'));
}

/** The signed-in user: restored from the refresh cookie on load, gone on sign-out or a failed refresh. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let active = true;
    // A page load has no access token: the refresh cookie, when there is one, brings the session back.
    void refreshAccessToken()
      .then(async (ok) => (ok ? loadMe() : null))
      .catch(() => null)
      .then((me) => {
        if (active) setState(me ? { status: 'signed-in', me } : { status: 'signed-out' });
      });
    const unsubscribe = onSignedOut(() => {
      disconnectLiveEvents();
      queryClient.clear();
      setState({ status: 'signed-out' });
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [queryClient]);

  const signIn = useCallback(async (credentials: Credentials) => {
    // The refresh token comes back as an HttpOnly cookie; only the access token is kept, in memory.
    const tokens = unwrap(await api.POST('/api/v1/auth/login', { body: { ...credentials, useCookie: true } }));
    setAccessToken(tokens.accessToken);
    setState({ status: 'signed-in', me: await loadMe() });
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
      setAccessToken(null);
      disconnectLiveEvents();
      queryClient.clear();
      setState({ status: 'signed-out' });
    }
  }, [queryClient, state]);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
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
