import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..');
const PG_SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const ADMIN = { email: 'admin@console.test', password: 'admin-password-for-console-tests' };

async function dropDatabase(name: string): Promise<void> {
  const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function waitForLine(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number) {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const poll = setInterval(() => {
      const match = pattern.exec(output());
      if (match) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve(match);
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(deadline);
        reject(new Error(`the server exited (${child.exitCode}):\n${output().slice(-3000)}`));
      }
    }, 100);
    const deadline = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`the server did not start:\n${output().slice(-3000)}`));
    }, timeoutMs);
  });
}

/**
 * Starts the built server (`node dist/src/app/main.js`, as `npm start` does) on a free port with a database and
 * a Redis prefix of its own; the teardown stops it and removes both.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (
    !existsSync(join(ROOT, 'dist', 'web', 'index.html')) ||
    !existsSync(join(ROOT, 'dist', 'src', 'app', 'main.js'))
  ) {
    throw new Error('No build: run `npm run build` before the browser tests (npm run test:web does)');
  }
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `ymera_console_${id}`;
  const prefix = `ymera-console-${id}`;
  const child = spawn(process.execPath, ['dist/src/app/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${PG_SERVER}/${database}`,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MIN: '100000',
      RATE_LIMIT_LOGIN_PER_MIN: '100000',
      RATE_LIMIT_LIVE_PER_MIN: '100000',
      // The tasks spec runs an http agent against a slow server of its own on 127.0.0.1.
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
    },
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));

  const teardown = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await dropDatabase(database);
    await dropRedisKeys(prefix);
  };
  try {
    const [, url] = await waitForLine(child, () => text, /^Console: (http:\/\/\S+?)\/?$/m, 120_000);
    process.env.CONSOLE_URL = url;
    process.env.CONSOLE_START_OUTPUT = text;
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
