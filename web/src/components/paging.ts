/** A list's page in the URL (`?page=`) and the `skip`/`limit` the API takes for it. */
import { ApiError } from '../api/errors';

/** The deepest `skip` the API takes (docs/api.md, "Paging"); a deeper one is refused on `/skip`. */
export const MAX_SKIP = 1_000_000;

/**
 * A page number as the URL gives it: a whole number, 1 when absent or unreadable. A number so large that its
 * page starts past {@link MAX_SKIP} whatever the page size is read as the first such page, so `skip` stays a
 * whole number the API reads (and refuses as too deep: see {@link isTooDeep}).
 */
export function pageOf(value: string | null): number {
  const page = Math.floor(Number(value));
  return Number.isFinite(page) && page > 1 ? Math.min(page, MAX_SKIP + 2) : 1;
}

/** `?page=` (or `?<name>=`) of the URL, as {@link pageOf} reads it. */
export function pageOfSearch(search: URLSearchParams, name = 'page'): number {
  return pageOf(search.get(name));
}

/** The search params with `page` (or `name`) set, left out for the first page. */
export function withPage(search: URLSearchParams, page: number, name = 'page'): URLSearchParams {
  const next = new URLSearchParams(search);
  if (page > 1) next.set(name, String(page));
  else next.delete(name);
  return next;
}

/** The API's `skip` and `limit` for page `page` (from 1) of `size` items. */
export function pageQuery(page: number, size: number): { skip: number; limit: number } {
  return { skip: (page - 1) * size, limit: size };
}

/**
 * Whether an empty page is past the end of a list that has items (it shrank, or the link was old), rather than
 * the list being empty: the page says so and offers the first page, not "nothing yet".
 */
export function isPastTheEnd(page: number, shown: number, total: number): boolean {
  return page > 1 && shown === 0 && total > 0;
}

/**
 * Whether a list's read was refused because its page starts deeper than the API pages ({@link MAX_SKIP}): past
 * the end of what the list can show, like a page past its last item, not a failure to report.
 */
export function isTooDeep(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 400 &&
    error.code === 'VALIDATION_FAILED' &&
    error.details.some((d) => d.field === '/skip')
  );
}
