import { type MantineSpacing, Skeleton, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api/errors';
import { ErrorState } from './ErrorState';
import { isMalformedAddress } from './error-words';
import { NothingOnThisPage, PastTheEnd } from './Pager';
import { MAX_SKIP, isPastTheEnd, isTooDeep } from './paging';

/** What a list reads, as TanStack Query's `useQuery` gives it. */
export interface ListQuery<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  /** The data shown is another page's or filter's (`placeholderData`), kept while this one loads. */
  isPlaceholderData?: boolean;
  refetch: () => unknown;
}

/** A list's loading skeleton: `rows` bars, named for screen readers, as a progress bar unless `role` is null. */
export function ListSkeleton({
  label,
  rows,
  height,
  gap = 'xs',
  role = 'progressbar',
}: {
  label: string;
  rows: number;
  height: number;
  gap?: MantineSpacing;
  role?: 'progressbar' | null;
}) {
  return (
    <Stack role={role ?? undefined} gap={gap} aria-busy="true" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} />
      ))}
    </Stack>
  );
}

/**
 * What the server said was wrong with a list's request, each "field: message" (`/actorId: must be a UUID`): a
 * list has no field of a form to show it on. Nothing more for an address whose id is malformed, which the error
 * state already says in words.
 */
function refusedDetails(error: unknown): string[] {
  if (!(error instanceof ApiError) || isMalformedAddress(error)) return [];
  return [...new Set(error.details.map(({ field, message }) => (field ? `${field}: ${message}` : message)))];
}

/** A page that starts deeper than the API pages: nothing to show on it, and the way back to the first. */
function TooDeep({ onFirst }: { onFirst: () => void }) {
  return (
    <NothingOnThisPage onFirst={onFirst}>
      Lists are paged no deeper than {MAX_SKIP.toLocaleString('en')} items, and this page starts beyond that.
    </NothingOnThisPage>
  );
}

/** "Could not refresh: showing the agents as last loaded", while a list read again failed and the last one shows. */
export function RefreshFailed({ query, what }: { query: ListQuery<unknown>; what: string }) {
  if (!query.isError || query.data === undefined || query.isPlaceholderData) return null;
  return (
    <ErrorState
      title={`Could not refresh: showing the ${what} as last loaded`}
      error={query.error}
      details={refusedDetails(query.error)}
      onRetry={() => void query.refetch()}
    />
  );
}

/**
 * The body of a list, one of: its loading skeleton; its error state (with "Try again", and what the server said
 * was wrong with the request); a page past the end of the list (see {@link PastTheEnd}), or deeper than the API
 * pages; its empty state; or the list itself (the last page's, dimmed, busy and inert, while this one loads). `keepLastLoaded`: a failed read again keeps the list as last
 * loaded (the page says so with {@link RefreshFailed}); the error state only when there is nothing to show.
 */
export function ListBody<T>({
  query,
  loading,
  errorTitle,
  keepLastLoaded = false,
  count,
  pastTheEnd,
  empty,
  children,
}: {
  query: ListQuery<T>;
  loading: ReactNode;
  errorTitle: string;
  keepLastLoaded?: boolean;
  /** How many items the page read has. */
  count: (data: T) => number;
  /** For an empty page: the page shown and the list's total, past the end when the list has items. */
  pastTheEnd?: { page: number; total: number; capped?: boolean; noun: string; onFirst: () => void };
  empty: ReactNode | ((data: T) => ReactNode);
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return loading;
  // Another page's items are never shown as this page's: while this page loads they show dimmed and busy, and
  // once its read fails the error state takes their place (what is kept on a failure is this page as last loaded).
  const another = query.isPlaceholderData === true;
  if (query.data === undefined || (query.isError && (!keepLastLoaded || another))) {
    // Past what the API pages is past the end of the list: the same way back as from a page past its last item.
    if (pastTheEnd && pastTheEnd.page > 1 && isTooDeep(query.error)) return <TooDeep onFirst={pastTheEnd.onFirst} />;
    return (
      <ErrorState
        title={errorTitle}
        error={query.error}
        details={refusedDetails(query.error)}
        onRetry={() => void query.refetch()}
      />
    );
  }
  const data = query.data;
  // The last page's "none here" would read as this page's answer: it loads.
  if (another && count(data) === 0) return loading;
  if (count(data) > 0)
    return another ? (
      // Inert: its buttons act on the last page's items, not to be taken for this page's.
      <div className="list-loading" aria-busy="true" inert>
        {children(data)}
      </div>
    ) : (
      children(data)
    );
  if (pastTheEnd && isPastTheEnd(pastTheEnd.page, 0, pastTheEnd.total)) {
    const { page: _page, ...rest } = pastTheEnd;
    return <PastTheEnd {...rest} />;
  }
  return typeof empty === 'function' ? empty(data) : empty;
}
