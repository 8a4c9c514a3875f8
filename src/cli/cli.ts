import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { preflight } from '../preflight';
import { createAdmin } from './create-admin.command';

const USAGE =
  'usage: npm run cli -- create-admin --email <email> [--name <name>]  (password from ADMIN_PASSWORD, else generated)';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, name: { type: 'string' } },
  });
  if (positionals[0] !== 'create-admin' || !values.email) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  loadEnvFile();
  const config = loadConfig(process.env);
  await preflight(config);
  const result = await createAdmin(config, values.email, config.auth.adminPassword, values.name);
  process.stdout.write(
    result.generatedPassword
      ? `created admin ${result.email} with password ${result.generatedPassword} (shown only this once)\n`
      : `created admin ${result.email}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
