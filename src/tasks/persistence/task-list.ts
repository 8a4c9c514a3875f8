import type { DataSource } from 'typeorm';
import { listedBound, overListedBound } from '../../database/listed-json';
import { preparedQuery, preparedRows } from '../../database/prepared';
import type { RowMapper } from '../../database/row-mapper';
import type { TaskEntity } from '../entities/task.entity';
import type { ListedTask } from '../task';
import { type TaskFilter, taskFilterClause } from './task-filter';

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

/**
 * Each listed row's two sizes against the bound in parameter `max`, worked out once per row (`OFFSET 0` keeps the
 * subquery a subquery).
 */
function overBound(max: string): string {
  return (
    'CROSS JOIN LATERAL (SELECT ' +
    `${overListedBound('t.input', max)} AS input, ${overListedBound('t.output', max)} AS output OFFSET 0) o`
  );
}

/**
 * The select list of a listed task: its columns, input and output only within the bound ({@link overListedBound})
 * and the checkpoint (an executor's, never shown) not at all, then whether input and output were left out.
 */
function listedColumns(rows: RowMapper<TaskEntity>): string {
  const columns = rows.columnsWith({
    input: 'CASE WHEN o.input THEN NULL ELSE t.input END',
    output: 'CASE WHEN o.output THEN NULL ELSE t.output END',
    checkpoint: 'NULL',
  });
  return `${columns}, o.input IS TRUE, o.output IS TRUE`;
}

function listedTask(rows: RowMapper<TaskEntity>, values: unknown[]): ListedTask {
  const { checkpoint: _checkpoint, ...task } = rows.fromValues(values);
  return { ...task, inputOmitted: values[rows.width] === true, outputOmitted: values[rows.width + 1] === true };
}

/**
 * Listed tasks by id, in the order of `ids`, input and output within `bound` bytes; one deleted meanwhile
 * (retention) is left out.
 */
async function listedById(
  reader: DataSource,
  rows: RowMapper<TaskEntity>,
  ids: string[],
  bound: number,
): Promise<ListedTask[]> {
  const found = await preparedRows(
    reader,
    `SELECT ${listedColumns(rows)} FROM tasks t ${overBound('$2')} WHERE t.id = ANY($1::uuid[])`,
    [ids, bound],
  );
  const byId = new Map(found.map((row) => [rows.idOfValues(row), row]));
  return ids.flatMap((id) => {
    const row = byId.get(id.toLowerCase());
    return row ? [listedTask(rows, row)] : [];
  });
}

/** One page of a list and its bounded count of matches. */
export interface TaskListPage {
  items: ListedTask[];
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
 * A filter on tags or metadata is answered from indexes that give matches in no order (their GIN indexes, or
 * `task_tags` for a tag with an agent): the page then reads every match to sort them, and the count would read
 * them all again. So such a list reads its matches once, up to the cap: they are its count, and its page's ids
 * are among them. Other filters have an index to walk in order: the page stops at its last row and the count
 * reads index entries only, side by side.
 */
export async function listTasks(
  reader: DataSource,
  rows: RowMapper<TaskEntity>,
  filter: TaskListFilter,
): Promise<TaskListPage> {
  const { where, params } = taskFilterClause(filter);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const n = params.length;
  const bound = listedBound(filter.limit);
  // The sizes are worked out over the page alone, after LIMIT and OFFSET: never for the rows a deep page skips.
  const page = async (): Promise<ListedTask[]> =>
    (
      await preparedRows(
        reader,
        `SELECT ${listedColumns(rows)}
           FROM (SELECT * FROM tasks t ${clause}
                  ORDER BY t.created_at DESC, t.id DESC
                  LIMIT $${n + 1} OFFSET $${n + 2}) t
           ${overBound(`$${n + 3}`)}
          ORDER BY t.created_at DESC, t.id DESC`,
        [...params, filter.limit, filter.skip, bound],
      )
    ).map((row) => listedTask(rows, row));

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
    if (!matches.ids) return { items: await page(), ...total };
    return { items: matches.ids.length ? await listedById(reader, rows, matches.ids, bound) : [], ...total };
  }
  const [found, counted] = await Promise.all([
    page(),
    preparedQuery<{ n: number }>(
      reader,
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM tasks t ${clause} LIMIT $${n + 1}) m`,
      [...params, LIST_TOTAL_CAP + 1],
    ),
  ]);
  return { items: found, ...boundedTotal(counted[0].n, LIST_TOTAL_CAP) };
}
