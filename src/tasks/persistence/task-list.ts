import type { DataSource } from 'typeorm';
import { preparedQuery, preparedRows } from '../../database/prepared';
import type { RowMapper } from '../../database/row-mapper';
import type { TaskEntity } from '../entities/task.entity';
import { type TaskFilter, taskFilterClause } from './task-filter';
import { taskRowsById } from './task-rows';

/**
 * A list counts its matches up to this many; past it the total says "at least this many" (`totalCapped`).
 * Counting every match of a filter over millions of tasks costs as much as reading them; a bounded count costs
 * at most this many index entries, whatever the table's size.
 */
export const LIST_TOTAL_CAP = 10_000;

/** Which tasks a list shows, and which page of them. */
export interface TaskListFilter extends TaskFilter {
  limit: number;
  skip: number;
}

/** One page of a list and its bounded count of matches. */
export interface TaskListPage {
  items: TaskEntity[];
  total: number;
  /** More than `total` tasks match. */
  totalCapped: boolean;
}

/** A count of up to `cap + 1` matches as a total: the cap, flagged, when there were more. */
export function boundedTotal(counted: number, cap: number): { total: number; totalCapped: boolean } {
  return counted > cap ? { total: cap, totalCapped: true } : { total: counted, totalCapped: false };
}

/**
 * Newest first. `total` is exact up to {@link LIST_TOTAL_CAP} matches; past it `total` is the cap and
 * `totalCapped` is true (the count stops there, so its cost does not grow with the table).
 *
 * A filter on tags or metadata is answered from their GIN indexes, which give matches in no order: the page then
 * reads every match to sort them, and the count would read them all again (on a million tasks, a tag with an
 * agent and a time range is a combination of two indexes, 4–8 ms, for a few hundred matches). So such a list
 * reads its matches once, up to the cap: they are its count, and its page's ids are among them. Other filters
 * have an index to walk in order: the page stops at its last row and the count reads index entries only, side by
 * side.
 */
export async function listTasks(
  reader: DataSource,
  rows: RowMapper<TaskEntity>,
  filter: TaskListFilter,
): Promise<TaskListPage> {
  const { where, params } = taskFilterClause(filter);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const n = params.length;
  const page = (): Promise<unknown[][]> =>
    preparedRows(
      reader,
      `SELECT ${rows.columns} FROM tasks t ${clause}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, filter.limit, filter.skip],
    );
  const items = (found: (unknown[] | undefined)[]): TaskEntity[] =>
    // A task the page named may have been deleted (retention) since it was matched: it is left out.
    found.filter((row) => row !== undefined).map((row) => rows.fromValues(row));

  if (filter.tag !== undefined || filter.metadata !== undefined) {
    const [matches] = await preparedQuery<{ n: number; ids: string[] | null }>(
      reader,
      `WITH m AS MATERIALIZED (SELECT t.id, t.created_at FROM tasks t ${clause} LIMIT $${n + 1})
       SELECT c.n, CASE WHEN c.n < $${n + 1} THEN ARRAY(
                SELECT m.id::text FROM m ORDER BY m.created_at DESC, m.id DESC LIMIT $${n + 2} OFFSET $${n + 3}
              ) END AS ids
         FROM (SELECT count(*)::int AS n FROM m) c`,
      [...params, LIST_TOTAL_CAP + 1, filter.limit, filter.skip],
    );
    const total = boundedTotal(matches.n, LIST_TOTAL_CAP);
    if (!matches.ids) return { items: items(await page()), ...total };
    return { items: items(matches.ids.length ? await taskRowsById(reader, rows, matches.ids) : []), ...total };
  }
  const [found, counted] = await Promise.all([
    page(),
    preparedQuery<{ n: number }>(
      reader,
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM tasks t ${clause} LIMIT $${n + 1}) m`,
      [...params, LIST_TOTAL_CAP + 1],
    ),
  ]);
  return { items: items(found), ...boundedTotal(counted[0].n, LIST_TOTAL_CAP) };
}
