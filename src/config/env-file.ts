import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reads the settings file (`ENV_FILE`, else `.env` in the working directory) into `env` when it exists, with
 * Node's own parser. A variable already set in the environment wins over the file. Returns the file read.
 * An `ENV_FILE` that does not exist is an error: it names a file the operator meant to be read.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const named = env.ENV_FILE;
  const path = resolve(cwd, named ?? '.env');
  if (!existsSync(path)) {
    if (named) throw new Error(`ENV_FILE=${named}: no such file (${path})`);
    return undefined;
  }
  for (const [key, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (env[key] === undefined) env[key] = value;
  }
  return path;
}
