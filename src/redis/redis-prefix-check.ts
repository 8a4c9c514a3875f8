/**
 * Why this process must not start with `prefix`: the database's other processes use another REDIS_PREFIX. A worker
 * on another prefix finds the database's queued tasks missing from its own queue, queues them there and runs them
 * a second time, past its agents' concurrency and out of reach of cancels and live events. The first process on a
 * database records its prefix; every later one must use the same. Owns the SQL of `redis_prefix_check`.
 */
export async function redisPrefixProblem(
  query: (sql: string, parameters?: unknown[]) => Promise<unknown>,
  prefix: string,
): Promise<string | undefined> {
  await query(`INSERT INTO "redis_prefix_check" ("id", "prefix") VALUES (1, $1) ON CONFLICT ("id") DO NOTHING`, [
    prefix,
  ]);
  const rows = (await query(`SELECT "prefix" FROM "redis_prefix_check" WHERE "id" = 1`)) as { prefix: string }[];
  const recorded = rows[0]?.prefix;
  if (recorded === undefined || recorded === prefix) return undefined;
  return (
    `REDIS_PREFIX is "${prefix}", and this database's processes use "${recorded}": every api and worker process ` +
    `of a database shares one REDIS_PREFIX (a worker on another runs the database's tasks a second time). Start ` +
    `with REDIS_PREFIX=${recorded}. To move them all to another prefix, stop every process, then ` +
    `UPDATE redis_prefix_check SET prefix = '<the new one>'.`
  );
}
