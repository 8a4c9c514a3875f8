import 'reflect-metadata';
import { postgresProblem } from '../app/preflight';
import { type AppConfig, loadConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { assertVitalSettings, unknownSettingWarnings } from '../config/unknown-settings';
import {
  createdDatabaseNotice,
  ensureDatabase,
  type MigrationState,
  migrationState,
  revertLastMigration,
  runMigrations,
  schemaChanges,
  withDataSource,
} from '../database/prepare-database';

/**
 * What `check` prints and its exit code (0 when the entities and the fully migrated database agree). With
 * migrations not applied yet (after a revert, say), the database is only migrated so far, and SQL the entities
 * need may be what those migrations add: said first, so the SQL is not taken for SQL no migration has.
 */
export function checkReport(database: string, state: MigrationState, sql: string[]): { lines: string[]; code: number } {
  const lines: string[] = [];
  if (state.unknown.length) {
    lines.push(
      `applied to database "${database}" but unknown to this build (a newer build migrated it): ${state.unknown.join(', ')}`,
    );
  }
  if (state.pending.length) {
    lines.push(
      `not applied to database "${database}" yet: ${state.pending.join(', ')} ("npm run migration:run" applies them)`,
    );
  }
  if (!state.unknown.length && !state.pending.length) {
    if (!sql.length) return { lines: ['entities and migrations agree'], code: 0 };
    return { lines: [`the entities need SQL the migrations do not have:\n${sql.join(';\n')}`], code: 1 };
  }
  lines.push(
    sql.length
      ? `compared with the database as migrated so far, the entities need this SQL (which the migrations above ` +
          `may account for: check again once the database is at this build's migrations):\n${sql.join(';\n')}`
      : `the entities agree with the database as migrated so far: check again once it is at this build's migrations`,
  );
  return { lines, code: 1 };
}

/** `migrate run | revert | check`, reading the same validated settings as the app. */
async function main(command: string | undefined): Promise<number> {
  loadEnvFile();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // A misspelt DATABASE_URL would migrate (or create) the default database.
  assertVitalSettings(process.env);
  for (const warning of unknownSettingWarnings(process.env)) process.stderr.write(`${warning}\n`);
  const config = loadConfig(process.env);
  try {
    return await migrate(command, config, out);
  } catch (err) {
    throw new Error(databaseProblem(config, err), { cause: err });
  }
}

/**
 * A failure of the database in words naming DATABASE_URL and what to do, as `npm start` says it; any other (a
 * migration's own failure) as it is.
 */
function databaseProblem(config: AppConfig, err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code === '3D000')
    return (
      `The database "${config.database.name}" (DATABASE_URL) does not exist: check DATABASE_URL ` +
      '("npm run migration:run" or "npm start" creates it).'
    );
  if (!code || /^(42|23|22)/.test(code)) return err instanceof Error ? err.message : String(err);
  return postgresProblem(config, err);
}

async function migrate(command: string | undefined, config: AppConfig, out: (line: string) => void): Promise<number> {
  const database = config.database.name;
  switch (command) {
    case 'run': {
      if (await ensureDatabase(config)) out(createdDatabaseNotice(config));
      const applied = await runMigrations(config);
      out(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
      return 0;
    }
    case 'revert': {
      const reverted = await revertLastMigration(config);
      out(reverted ? `reverted ${reverted}` : `nothing to revert: database "${database}" has no migration applied`);
      return 0;
    }
    case 'check': {
      const report = await withDataSource(config, 2, async (dataSource) =>
        checkReport(database, await migrationState(dataSource), await schemaChanges(dataSource)),
      );
      report.lines.forEach(out);
      return report.code;
    }
    default:
      out('usage: migrate run | revert | check');
      return 2;
  }
}

// Run as a command; imported (by its spec), it only lends checkReport.
if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
