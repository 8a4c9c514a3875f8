/** A list's page in the URL (`?page=`) and the `skip`/`limit` the API takes for it. */

/** `?page=` of the URL, 1 when absent or unreadable. */
export function pageOfSearch(search: URLSearchParams): number {
  const page = Math.floor(Number(search.get('page')));
  return Number.isFinite(page) && page > 1 ? page : 1;
}

/** The search params with `page` set (left out for the first page). */
export function withPage(search: URLSearchParams, page: number): URLSearchParams {
  const next = new URLSearchParams(search);
  if (page > 1) next.set('page', String(page));
  else next.delete('page');
  return next;
}

/** The API's `skip` and `limit` for page `page` (from 1) of `size` items. */
export function pageQuery(page: number, size: number): { skip: number; limit: number } {
  return { skip: (page - 1) * size, limit: size };
}
