import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorState } from '../components/ErrorState';

/** What a browser says when a page's code (a chunk, its CSS) could not be fetched. */
const NOT_LOADED = /preload CSS|dynamically imported module|Importing a module script failed|Failed to fetch/i;

/**
 * A page that failed to load (its code could not be fetched: the platform unreachable, or a new deployment
 * removed its chunk) or threw while rendering. `inShell`: shown in the page's place, the menu kept.
 */
export function RouteError({ inShell = false }: { inShell?: boolean }) {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error && NOT_LOADED.test(error.message)
      ? "This page's code could not be loaded: the platform may be unreachable, or was updated since this tab opened."
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
