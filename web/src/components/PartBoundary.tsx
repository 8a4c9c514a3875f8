import { Button, Stack } from '@mantine/core';
import { type ReactNode, useEffect } from 'react';
import { ErrorBoundary, type FallbackProps } from 'react-error-boundary';
import { ErrorState } from './ErrorState';
import { codeNotLoaded, forgetFailedImport, isCodeNotLoaded } from './lazy-retrying';

interface PartBoundaryProps {
  /** What the part is, for its notice ("The charts"). */
  what: string;
  children: ReactNode;
}

/** The notice in a failed part's place; the part is tried again on "Try again" or when the browser is back online. */
function PartFailed({ what, error, resetErrorBoundary }: FallbackProps & { what: string }) {
  useEffect(() => {
    const retry = () => resetErrorBoundary();
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [resetErrorBoundary]);
  const notLoaded = isCodeNotLoaded(error);
  return (
    <Stack gap="xs">
      <ErrorState
        title={`${what} could not be shown`}
        error={error}
        fallbackMessage={notLoaded ? codeNotLoaded('Their code') : undefined}
        onRetry={() => resetErrorBoundary()}
      />
      {notLoaded && (
        // Some browsers keep a module that failed to load, and code replaced by an update is gone for good.
        <Button size="xs" variant="subtle" w="fit-content" onClick={() => window.location.reload()}>
          Reload the page
        </Button>
      )}
    </Stack>
  );
}

/**
 * A part of a page that failed (its code, loaded with {@link lazyRetrying}, could not be fetched, or it threw):
 * a notice in its place with "Try again", the rest of the page still usable. It tries again by itself when the
 * browser comes back online.
 */
export function PartBoundary({ what, children }: PartBoundaryProps) {
  return (
    <ErrorBoundary
      // Shown: code that failed to load is imported again when the part is next rendered.
      onError={forgetFailedImport}
      fallbackRender={(props) => <PartFailed what={what} {...props} />}
    >
      {children}
    </ErrorBoundary>
  );
}
