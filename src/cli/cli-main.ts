import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../auth/permissions';
import { type AppConfig, loadConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { assertVitalSettings } from '../config/unknown-settings';
import { preflight } from '../app/preflight';
import { createAdmin, createUser, resetPassword, type UserPasswordResult } from './user-commands';

export const USAGE = `usage: npm run cli -- <command> [options]

commands:
  create-admin --email <email> [--name <name>]
      Creates an admin. Password from ADMIN_PASSWORD, else generated and shown once.
  create-user --email <email> --role <${ROLES.join('|')}> [--name <name>]
      Creates a user with that role. Password from NEW_PASSWORD, else generated and shown once.
  reset-password --email <email>
      Sets a user's password (signs them out everywhere). Password from NEW_PASSWORD, else generated and
      shown once.
  help
      Prints this text (also --help, -h).

Settings (DATABASE_URL, REDIS_URL, ...) come from the environment and .env, as for npm start.
Passwords are never taken as arguments: the shell history and the process list would keep them.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: 0 done, 1 the command failed, 2 the command line is wrong. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, values } = parsed;
  if (command === 'help' || values.help) {
    io.out(USAGE);
    return 0;
  }
  const usageError = (message: string) => {
    io.err(`${message}\n\n${USAGE}`);
    return 2;
  };
  if (!command) return usageError('No command given.');
  if (!['create-admin', 'create-user', 'reset-password'].includes(command)) {
    return usageError(`Unknown command "${command}".`);
  }
  if (!values.email) return usageError(`${command} needs --email.`);
  if (command === 'create-user' && !ROLES.includes(values.role as Role)) {
    return usageError(`create-user needs --role ${ROLES.join('|')}.`);
  }

  const config = await prepare(io.env);
  const show = (verb: string, result: UserPasswordResult) =>
    io.out(
      result.generatedPassword
        ? `${verb} ${result.email} with password ${result.generatedPassword} (shown only this once)`
        : `${verb} ${result.email}`,
    );
  switch (command) {
    case 'create-admin':
      show('created admin', await createAdmin(config, values.email, io.env.ADMIN_PASSWORD || undefined, values.name));
      return 0;
    case 'create-user': {
      const role = values.role as Role;
      show(
        `created ${role}`,
        await createUser(config, {
          email: values.email,
          role,
          name: values.name,
          password: io.env.NEW_PASSWORD || undefined,
        }),
      );
      return 0;
    }
    default:
      show('reset the password of', await resetPassword(config, values.email, io.env.NEW_PASSWORD || undefined));
      return 0;
  }
}

function parse(argv: string[]) {
  // Node's own words suggest passing it as an argument after `--`: a password never is (shell history, `ps`).
  const password = argv.find((arg) => /^--(password|new-password)(=|$)/.test(arg));
  if (password)
    throw new Error(
      `Unknown option "${password.split('=')[0]}": passwords are never taken as arguments (they would stay in the ` +
        "shell's history and show in the process list); set NEW_PASSWORD, or ADMIN_PASSWORD for create-admin, or " +
        'leave it out to have one generated.',
    );
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) throw new Error(`Unexpected argument "${positionals[1]}".`);
  return { command: positionals[0], values };
}

async function prepare(env: NodeJS.ProcessEnv): Promise<AppConfig> {
  loadEnvFile(env);
  // A misspelt or empty DATABASE_URL would change the users of the default database.
  assertVitalSettings(env);
  const config = loadConfig(env);
  // A tool run beside the platform: it neither creates the database (a mistyped DATABASE_URL) nor migrates it.
  await preflight(config, undefined, false);
  return config;
}
