import type { QueryRunner } from 'typeorm';

/**
 * Builds an index CONCURRENTLY (the table keeps taking writes meanwhile), in a migration without a transaction.
 * An earlier build that was interrupted leaves an invalid index behind: it is dropped and built again.
 */
export async function createIndexConcurrently(q: QueryRunner, name: string, table: string, definition: string) {
  const [invalid] = (await q.query(
    `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`,
    [name],
  )) as unknown[];
  if (invalid) await q.query(`DROP INDEX CONCURRENTLY "${name}"`);
  await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "${table}" ${definition}`);
}
