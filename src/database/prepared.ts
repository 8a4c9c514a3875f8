import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

const names = new Map<string, string>();

/** A statement's name: the same text always gets the same name, so each connection prepares it once. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `ymera_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs a hot statement as a named prepared statement on the pool TypeORM opened: Postgres parses and
 * plans it once per connection instead of on every call. For statements outside a transaction; SQL text
 * must not embed values (they go as parameters), so the number of distinct statements stays small.
 */
export async function preparedQuery<T>(dataSource: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query({ name: nameOf(text), text, values });
  return result.rows as T[];
}

/**
 * {@link preparedQuery} with each row as an array of its values in select-list order (pg's `rowMode: 'array'`):
 * no object per row, which for wide rows is most of what reading them costs (`RowMapper.fromValues` maps them back).
 */
export async function preparedRows(dataSource: DataSource, text: string, values: unknown[]): Promise<unknown[][]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query<unknown[]>({ name: nameOf(text), text, values, rowMode: 'array' });
  return result.rows;
}
