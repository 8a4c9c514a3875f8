import { Loader } from '@mantine/core';
import { Navigate, useLocation } from 'react-router';
import { ServiceUnavailable } from './ServiceUnavailable';
import { useSession } from './session';
import { Shell } from './Shell';

/**
 * Signed-in routes: the shell, the sign-in page with the way back in `?next=`, or, while the service cannot
 * answer, that it is unavailable.
 */
/** What shows while the session is restored, and while the first page's code loads. */
export function PageLoading() {
  return (
    <div className="centered-page">
      <Loader role="progressbar" aria-label="Loading" />
    </div>
  );
}

export function RequireSession() {
  const { state, retry } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <PageLoading />;
  if (state.status === 'unavailable') {
    // Not signed out: nothing is known of the session until the service answers, and the address is kept.
    return (
      <ServiceUnavailable error={state.error} retryInMs={state.retryInMs} retrying={state.retrying} onRetry={retry} />
    );
  }
  if (state.status === 'signed-out') {
    // Signed out by hand: no way back to the page they left, for whoever signs in next on this browser.
    const next = state.byHand ? '/' : `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Shell />;
}
