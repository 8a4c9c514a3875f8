import 'reflect-metadata';
import { loadConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { ensureDatabase, pendingSchemaChanges, revertLastMigration, runMigrations } from '../database/prepare-database';

/** `migrate run | revert | check`, reading the same validated settings as the app. */
async function main(command: string | undefined): Promise<number> {
  loadEnvFile();
  const config = loadConfig(process.env);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'run': {
      if (await ensureDatabase(config)) out(`created database ${config.database.name}`);
      const applied = await runMigrations(config);
      out(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
      return 0;
    }
    case 'revert':
      await revertLastMigration(config);
      out('reverted the last migration');
      return 0;
    case 'check': {
      const pending = await pendingSchemaChanges(config);
      if (pending.length === 0) {
        out('entities and migrations agree');
        return 0;
      }
      out(`the entities need SQL the migrations do not have:\n${pending.join(';\n')}`);
      return 1;
    }
    default:
      out('usage: migrate run | revert | check');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
