import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { preparedQuery } from './prepared';

export interface InsertPart<T extends ObjectLiteral> {
  entity: EntityTarget<T>;
  rows: T[];
  /** Skip rows that violate a unique constraint. */
  ignoreConflicts?: boolean;
}

/**
 * Rows turned into JSON per turn of the event loop: a thousand large rows are ten short stretches of work,
 * with other requests served in between, not one long one.
 */
const ROWS_PER_TURN = 100;

/**
 * `INSERT … SELECT … FROM json_populate_recordset(NULL::table, $n)`: the rows go as one JSON parameter and
 * Postgres turns them into the table's own row type, so types are the table's and a thousand rows cost no
 * more SQL text than one. Every column is written as given (a missing value is NULL, not the column
 * default), except a generated column the rows leave unset and one Postgres computes (`insert: false`).
 * More than {@link ROWS_PER_TURN} rows are written out that many per turn of the event loop.
 */
async function insertStatement<T extends ObjectLiteral>(
  em: EntityManager,
  part: InsertPart<T>,
  param: number,
  where = '',
): Promise<{ sql: string; value: string }> {
  const metadata = em.connection.getMetadata(part.entity);
  const columns = metadata.columns
    .filter(
      (c) => c.isInsert && !(c.isGenerated && (part.rows[0] as Record<string, unknown>)[c.propertyName] === undefined),
    )
    .map((c) => ({ name: c.databaseName, property: c.propertyName }));
  const records = (rows: T[]): Record<string, unknown>[] =>
    rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const c of columns) record[c.name] = (row as Record<string, unknown>)[c.property] ?? null;
      return record;
    });
  let value: string;
  if (part.rows.length <= ROWS_PER_TURN) value = JSON.stringify(records(part.rows));
  else {
    const chunks: string[] = [];
    for (let at = 0; at < part.rows.length; at += ROWS_PER_TURN) {
      if (at > 0) await nextTurn();
      // Each chunk's array without its brackets: the chunks joined are one array.
      chunks.push(JSON.stringify(records(part.rows.slice(at, at + ROWS_PER_TURN))).slice(1, -1));
    }
    value = `[${chunks.join(',')}]`;
  }
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  const table = `"${metadata.tableName}"`;
  return {
    sql: `INSERT INTO ${table} (${list})
          SELECT ${list} FROM json_populate_recordset(NULL::${table}, $${param}::json) ${where}
          ${part.ignoreConflicts ? 'ON CONFLICT DO NOTHING' : ''}`,
    value,
  };
}

/**
 * Runs an insert: outside a transaction as a named prepared statement (each connection parses and plans it once; a
 * table's insert has one text whatever its rows, as they go as one parameter), inside one on its connection.
 */
function run(em: EntityManager, sql: string, params: unknown[]): Promise<{ id: string }[]> {
  return em.queryRunner
    ? (em.query(sql, params) as Promise<{ id: string }[]>)
    : preparedQuery<{ id: string }>(em.connection, sql, params);
}

/** Inserts rows in one statement; returns the ids inserted. */
export async function bulkInsert<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  rows: T[],
  options: { ignoreConflicts?: boolean } = {},
): Promise<string[]> {
  if (!rows.length) return [];
  const { sql, value } = await insertStatement(em, { entity, rows, ...options }, 1);
  const inserted = await run(em, `${sql} RETURNING "id"`, [value]);
  return inserted.map((r) => r.id);
}

/**
 * Inserts rows and, in the same statement (so atomically, without a transaction's extra round trips),
 * companion rows that exist only if any of the main rows were inserted: a task and its audit entry.
 * Returns the ids of the main rows inserted.
 */
export async function bulkInsertWith<T extends ObjectLiteral, C extends ObjectLiteral>(
  em: EntityManager,
  main: InsertPart<T>,
  companion: InsertPart<C>,
): Promise<string[]> {
  if (!main.rows.length) return [];
  const first = await insertStatement(em, main, 1);
  const second = await insertStatement(em, companion, 2, 'WHERE EXISTS (SELECT 1 FROM inserted)');
  const inserted = await run(
    em,
    `WITH inserted AS (${first.sql} RETURNING "id"), companion AS (${second.sql})
     SELECT "id" FROM inserted`,
    [first.value, second.value],
  );
  return inserted.map((r) => r.id);
}
