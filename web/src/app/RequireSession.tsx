import { Loader } from '@mantine/core';
import { Navigate, useLocation } from 'react-router';
import { useSession } from './session';
import { Shell } from './Shell';

/** Signed-in routes: the shell, or the sign-in page with the way back in `?next=`. */
export function RequireSession() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') {
    return (
      <div className="centered-page">
        <Loader aria-label="Loading" />
      </div>
    );
  }
  if (state.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Shell />;
}
