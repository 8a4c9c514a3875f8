import { useEffect } from 'react';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorState } from '../components/ErrorState';
import { codeNotLoaded, forgetFailedImport, isCodeNotLoaded } from '../components/lazy-retrying';

/**
 * A page that failed to load (its code could not be fetched: the platform unreachable, or a new deployment
 * removed its chunk) or threw while rendering. `inShell`: shown in the page's place, the menu kept.
 */
export function RouteError({ inShell = false }: { inShell?: boolean }) {
  const error = useRouteError();
  // Shown: a form's code that failed to load (new-task.tsx) is imported again when the page is next opened.
  useEffect(() => forgetFailedImport(error), [error]);
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : isCodeNotLoaded(error)
      ? codeNotLoaded("This page's code")
      : error instanceof Error
        ? error.message
        : 'Something went wrong';
  const state = (
    <ErrorState
      title="This page could not be shown"
      error={error}
      fallbackMessage={message}
      onRetry={() => window.location.reload()}
    />
  );
  return inShell ? state : <div className="centered-page">{state}</div>;
}
