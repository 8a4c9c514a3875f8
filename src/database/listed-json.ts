/**
 * A list shows a JSON value (a task's input or output, a run's) whole up to this many bytes of JSON text; a
 * larger one is left out, flagged, and read by itself (`GET /tasks/:id`, `GET /workflow-runs/:id`). A run's steps
 * would multiply it by their number: a list carries none of their outputs.
 * A page then costs about the same whatever its items produced: a data-processor's output may be 16 MiB.
 */
export const LISTED_JSON_MAX_BYTES = 64 * 1024;

/**
 * SQL: whether the jsonb `value` is over {@link LISTED_JSON_MAX_BYTES}. First the stored size of `stored` (the
 * column holding it), which the row gives without detoasting: a 16 MiB output costs nothing here. Then, only
 * for what is stored smaller, the JSON text's length, as compression hides length (the same record 400,000
 * times: 10.8 MB of text stored in 236 kB). Null for null. Evaluate it after a page's LIMIT and OFFSET, so that
 * rows a deep page skips are never measured.
 */
export function overListedBound(value: string, stored = value): string {
  const max = LISTED_JSON_MAX_BYTES;
  return `CASE WHEN pg_column_size(${stored}) > ${max} THEN true ELSE octet_length((${value})::text) > ${max} END`;
}
