import { MantineProvider } from '@mantine/core';
import { type Query, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError, askingAgainMayHelp } from '../api/errors';
import { SessionProvider } from './session';
import { theme } from './theme';

function retry(failureCount: number, error: unknown): boolean {
  // A 4xx will not change by asking again; 429/503 say when to come back, and a page can offer to retry.
  if (error instanceof ApiError && error.status < 500) return false;
  return failureCount < 2;
}

/** How often a query shown failed asks again by itself (a 4xx will not change by asking again). */
export const FAILED_QUERY_RETRY_MS = 15_000;

/**
 * A query whose last answer was an outage's (no answer, 408, 429, 5xx) asks again every 15 s while it is shown: a
 * list or page left showing the error of an outage comes back by itself once the platform does.
 */
function refetchInterval(query: Query): number | false {
  return query.state.status === 'error' && askingAgainMayHelp(query.state.error) ? FAILED_QUERY_RETRY_MS : false;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry, staleTime: 10_000, refetchInterval }, mutations: { retry: false } },
  });
}

/**
 * Mantine's styles come from its CSS files only: no `<style>` element is injected at run time (no CSS
 * variables or global classes from the provider), so the console's CSP needs no 'unsafe-inline' for styles.
 */
export function Providers({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return (
    <MantineProvider theme={theme} withCssVariables={false} withGlobalClasses={false} forceColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <SessionProvider>{children}</SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
