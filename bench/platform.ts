import { randomBytes } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import type { BenchContext } from './context';
import { api, dropRedisKeys, type Proc, start, stop, waitForOutput } from './harness';
import { BENCH_ADMIN, benchServerEnv, PG_SERVER } from './server-env';

export interface Platform extends BenchContext {
  /** Stops every process it started, drops its database and its Redis keys. */
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Part of the database's name and the Redis prefix: `ymera_bench_<name>`, `bench-<name>`. */
  name: string;
  /** Settings on top of the bench's own, for every process of this platform. */
  env?: Record<string, string>;
  /** Starts a ceiling process next to it (the main run's comparisons need one). */
  ceiling?: boolean;
}

/**
 * A platform as in production on a database and Redis prefix of its own: an api process (a worker process
 * once `worker()` is called), the admin's token and a calculator agent. The main run uses one; a scenario
 * that needs another database (a year of data, other settings) starts its own and closes it.
 */
export async function launchPlatform({
  name,
  env: extra = {},
  ceiling: withCeiling,
}: PlatformOptions): Promise<Platform> {
  const db = `ymera_bench_${name}`;
  const prefix = `bench-${name}`;
  const jwtSecret = randomBytes(48).toString('base64url');
  const env: Record<string, string | undefined> = {
    ...benchServerEnv(db, prefix),
    JWT_SECRET: jwtSecret,
    RATE_LIMIT_LOGIN_PER_MIN: '100000',
    WORKER_CONCURRENCY: '50',
    ...extra,
  };
  const procs: Proc[] = [];
  let client: Client | undefined;
  const close = async (): Promise<void> => {
    await client?.end().catch(() => undefined);
    await Promise.all(procs.map(stop));
    const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    await pg.end();
    await dropRedisKeys(prefix).catch(() => undefined);
  };
  try {
    const apiProc = start('dist/src/app/main.js', { ...env, APP_ROLE: 'api', PORT: '0' });
    procs.push(apiProc);
    const [, apiUrl] = await waitForOutput(apiProc, /listening on (http:\/\/[\d.:]+)\/api\/v1/);
    let ceilingProc: Proc | undefined;
    let ceilingUrl = '';
    if (withCeiling) {
      ceilingProc = start('dist/bench/ceiling.js', { ...env, PORT: '0' });
      procs.push(ceilingProc);
      [, ceilingUrl] = await waitForOutput(ceilingProc, /ceiling listening on (http:\/\/[\d.:]+)/);
    }
    const { accessToken } = await api<{ accessToken: string }>(apiUrl, '/api/v1/auth/login', undefined, BENCH_ADMIN);
    const agent = await api<{ id: string }>(apiUrl, '/api/v1/agents', accessToken, {
      name: 'bench-calc',
      type: 'calculator',
      concurrency: 1000,
    });
    const ceilingToken = new JwtService({ secret: jwtSecret }).sign(
      { sub: 'bench' },
      { algorithm: 'HS256', expiresIn: 3600 },
    );
    client = new Client({ connectionString: env.DATABASE_URL });
    client.on('error', () => undefined);
    await client.connect();
    let worker: Promise<Proc> | undefined;
    return {
      apiUrl,
      ceilingUrl,
      accessToken,
      ceilingToken,
      agentId: agent.id,
      db: client,
      api: apiProc,
      ceiling: ceilingProc,
      env,
      prefix,
      worker: () =>
        (worker ??= (async () => {
          const proc = start('dist/src/app/main.js', { ...env, APP_ROLE: 'worker' });
          procs.push(proc);
          await waitForOutput(proc, /YMERA worker started/);
          return proc;
        })()),
      call: <T>(path: string, body?: unknown) => api<T>(apiUrl, path, accessToken, body),
      close,
    };
  } catch (err) {
    for (const proc of procs) process.stderr.write(`--- exit ${proc.child.exitCode}\n${proc.output().slice(-3000)}\n`);
    await close();
    throw err;
  }
}
