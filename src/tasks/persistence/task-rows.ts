import type { DataSource } from 'typeorm';
import { preparedRows } from '../../database/prepared';
import type { RowMapper } from '../../database/row-mapper';
import type { TaskEntity } from '../entities/task.entity';

/**
 * Tasks by id in one statement: one row per id asked for (undefined where there is none), as values in the
 * order of `rows.columns`, for `rows.fromValues`. An id asked for twice is read once; ids match in any case.
 */
export async function taskRowsById(
  dataSource: DataSource,
  rows: RowMapper<TaskEntity>,
  ids: string[],
): Promise<(unknown[] | undefined)[]> {
  const found = await preparedRows(dataSource, `SELECT ${rows.columns} FROM tasks t WHERE t.id = ANY($1::uuid[])`, [
    [...new Set(ids)],
  ]);
  const byId = new Map(found.map((row) => [rows.idOfValues(row), row]));
  return ids.map((id) => byId.get(id.toLowerCase()));
}
