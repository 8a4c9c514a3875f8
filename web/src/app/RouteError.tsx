import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorState } from '../components/ErrorState';

/** A page that failed to load (a new deployment removed its chunk) or threw while rendering. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Something went wrong';
  return (
    <div className="centered-page">
      <ErrorState
        title="This page could not be shown"
        error={error}
        fallbackMessage={message}
        onRetry={() => window.location.reload()}
      />
    </div>
  );
}
