/**
 * A list shows a JSON value (a task's input or output, a run's) whole up to this many bytes of JSON text (fewer
 * on a long page: {@link listedBound}); a larger one is left out, flagged, and read by itself (`GET /tasks/:id`,
 * `GET /workflow-runs/:id`). A run's steps would multiply it by their number: a list carries none of their outputs.
 * A page then costs about the same whatever its items produced: a data-processor's output may be 16 MiB.
 */
export const LISTED_JSON_MAX_BYTES = 64 * 1024;

/**
 * What a page's inputs and outputs together may come to: a page of many items shows each within a smaller bound
 * ({@link listedBound}), so the largest page (1,000 items) is a few MiB, not 128.
 */
export const LISTED_PAGE_MAX_BYTES = 8 * 1024 * 1024;

/** The bound of each input and output on a page of `limit` items: 64 KiB, or less where the page is long. */
export function listedBound(limit: number): number {
  return Math.min(LISTED_JSON_MAX_BYTES, Math.floor(LISTED_PAGE_MAX_BYTES / (2 * Math.max(1, limit))));
}

/**
 * SQL: whether the jsonb `column` is over the bound `max` (a parameter, e.g. `$3`: see {@link listedBound}). First
 * its stored size, which the row gives without detoasting: a 16 MiB output
 * costs nothing here. Then, only for what is stored smaller, the JSON text's length, as compression hides length
 * (the same record 400,000 times: 10.8 MB of text stored in 236 kB). Null for null. Evaluate it after a page's
 * LIMIT and OFFSET, so that rows a deep page skips are never measured.
 */
export function overListedBound(column: string, max: string): string {
  const bound = `(${max})::int`;
  return `CASE WHEN pg_column_size(${column}) > ${bound} THEN true ELSE octet_length((${column})::text) > ${bound} END`;
}
