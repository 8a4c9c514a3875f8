import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** Serialises migration runs across processes starting at the same time. */
const MIGRATION_LOCK_ID = 72_0000_1;
/** How often a process waiting for another's migrations asks for the lock again. */
const LOCK_POLL_MS = 200;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/**
 * Creates the database named in DATABASE_URL when it does not exist yet. Returns true when it created it; with
 * `create` false, only whether it is missing (nothing created).
 */
export async function ensureDatabase(config: AppConfig, create = true): Promise<boolean> {
  const client = new Client({ connectionString: maintenanceUrl(config.database.url), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.database.name]);
    if (found.rowCount) return false;
    if (!create) return true;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(config.database.name)}`);
    } catch (err) {
      // Another process created it between our check and our CREATE: 42P04 once it is there, or the unique
      // violation of pg_database's name index when both CREATEs ran at the same time.
      if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Says that {@link ensureDatabase} created the database, where, and how to tell: a misspelt or mistaken
 * DATABASE_URL otherwise shows only as a new, empty database. The host and the name, never the password.
 */
export function createdDatabaseNotice(config: AppConfig): string {
  const url = new URL(config.database.url);
  return (
    `created database "${config.database.name}" on ${url.hostname}:${url.port || 5432}: DATABASE_URL names it ` +
    `and it did not exist; if another database was meant, correct DATABASE_URL`
  );
}

export async function dropDatabase(config: AppConfig): Promise<void> {
  const client = new Client({ connectionString: maintenanceUrl(config.database.url) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(config.database.name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Where the database's schema stands against this build's migrations: those it has not applied yet, and those
 * it has applied that this build does not know (a newer build migrated it).
 */
export interface MigrationState {
  pending: string[];
  unknown: string[];
}

/** Runs `work` over a pool of `poolSize` connections to DATABASE_URL's database, closed after it. */
export async function withDataSource<T>(
  config: AppConfig,
  poolSize: number,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const dataSource = new DataSource(dataSourceOptions(config, poolSize));
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** The names of the migrations applied to the database, in the order they were applied. */
async function appliedMigrations(dataSource: DataSource): Promise<string[]> {
  const table = await dataSource.query(`SELECT to_regclass('migrations') IS NOT NULL AS present`);
  return table[0].present
    ? (await dataSource.query(`SELECT name FROM migrations ORDER BY id`)).map((r: { name: string }) => r.name)
    : [];
}

/** The database's {@link MigrationState}, without changing anything. */
export async function migrationState(dataSource: DataSource): Promise<MigrationState> {
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  const applied = await appliedMigrations(dataSource);
  const done = new Set(applied);
  const ours = new Set(known);
  return { pending: known.filter((n) => !done.has(n)), unknown: applied.filter((n) => !ours.has(n)) };
}

/**
 * Takes the migrations' advisory lock on `lock`'s connection, asking again every {@link LOCK_POLL_MS} while another
 * process holds it. Not `pg_advisory_lock`, which waits inside a statement: a migration that builds an index
 * CONCURRENTLY waits for every statement running in the database to end, and so would wait for that one, which
 * waits for the lock the migrating process holds, and neither would ever go on.
 */
async function takeMigrationLock(lock: QueryRunner): Promise<void> {
  for (;;) {
    const [{ taken }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS taken', [MIGRATION_LOCK_ID])) as {
      taken: boolean;
    }[];
    if (taken) return;
    await sleep(LOCK_POLL_MS);
  }
}

/**
 * Applies pending migrations under an advisory lock; returns the names of those it applied. Takes two of the
 * pool's connections: one holds the lock.
 */
export async function applyMigrations(dataSource: DataSource): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await takeMigrationLock(lock);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    // TypeORM files a generated column's expression in `typeorm_metadata` under the database's name (it creates
    // that table itself, as it does `migrations`); a database restored or renamed keeps the old name there, and
    // the schema check would then take the column for a new one.
    await dataSource.query(
      `UPDATE "typeorm_metadata" SET "database" = current_database() WHERE "database" IS DISTINCT FROM current_database()`,
    );
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lock.release();
  }
}

/** Runs pending migrations; returns the names of those it applied. */
export function runMigrations(config: AppConfig): Promise<string[]> {
  return withDataSource(config, 2, applyMigrations);
}

/** Reverts the migration applied last; returns its name, or undefined when none is applied. */
export function revertLastMigration(config: AppConfig): Promise<string | undefined> {
  return withDataSource(config, 2, async (dataSource) => {
    const before = await appliedMigrations(dataSource);
    await dataSource.undoLastMigration({ transaction: 'each' });
    const after = new Set(await appliedMigrations(dataSource));
    return before.find((name) => !after.has(name));
  });
}

/**
 * `runner`, sending its statements one after another. TypeORM reads a schema with the queries of every table's
 * columns sent at once on its one connection, which pg queues with a DeprecationWarning (and pg 9 will refuse).
 */
function oneStatementAtATime(runner: QueryRunner): QueryRunner {
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  let last: Promise<unknown> = Promise.resolve();
  const queued = (...args: unknown[]): Promise<unknown> => {
    const next = last.then(() => query(...args));
    last = next.catch(() => undefined);
    return next;
  };
  runner.query = queued as QueryRunner['query'];
  return runner;
}

/** SQL the entities would need on top of `dataSource`'s schema as it stands; empty when the two agree. */
export async function schemaChanges(dataSource: DataSource): Promise<string[]> {
  const create = dataSource.createQueryRunner;
  // The schema builder takes its query runner from the data source.
  dataSource.createQueryRunner = (mode) => oneStatementAtATime(create.call(dataSource, mode));
  try {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    dataSource.createQueryRunner = create;
  }
}

/** SQL the entities would need on top of the migrated schema; empty when the two agree. */
export function pendingSchemaChanges(config: AppConfig): Promise<string[]> {
  return withDataSource(config, 2, schemaChanges);
}
