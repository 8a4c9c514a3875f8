import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { bulkRetry } from './bulk-retry';
import type { BenchContext } from './context';
import {
  api,
  apiHeap,
  dropRedisKeys,
  DURATION_S,
  type Proc,
  ROOT,
  ROUNDS,
  type Row,
  rssMb,
  SETTLE_S,
  start,
  stop,
  waitForOutput,
  WARMUP_S,
} from './harness';
import { filteredList, readVsCeiling, submitVsCeiling } from './http';
import { BENCH_ADMIN, PG_SERVER, REDIS_URL } from './server-env';
import { type StartupMemory, throughput } from './throughput';

/**
 * `npm run bench`: the platform as in production (an api and a worker process) against its ceilings, in
 * one run, with autocannon in a process of its own. Prints a table, writes bench/results/<time>.json and
 * ends with `bench: N targets met, M missed`.
 */
const id = Date.now().toString(36);
const DB = `ymera_bench_${id}`;
const PREFIX = `bench-${id}`;
const JWT_SECRET = randomBytes(48).toString('base64url');

const baseEnv = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  DATABASE_URL: `${PG_SERVER}/${DB}`,
  REDIS_URL,
  REDIS_PREFIX: PREFIX,
  JWT_SECRET,
  SECRETS_KEY: randomBytes(32).toString('hex'),
  ADMIN_EMAIL: BENCH_ADMIN.email,
  ADMIN_PASSWORD: BENCH_ADMIN.password,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MIN: '100000000',
  RATE_LIMIT_LOGIN_PER_MIN: '100000',
  WORKER_CONCURRENCY: '50',
  METRICS_PORT: '0',
};

/** BENCH_SCENARIOS=a,b runs only those scenarios (e needs d); all by default. */
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'a,b,c,d,e,l').split(',').map((s) => s.trim()));
const want = (scenario: string): boolean => SCENARIOS.has(scenario);

/** The api and ceiling processes, the admin's token, a calculator agent and 100,000 finished tasks. */
async function setUp(procs: Proc[]): Promise<BenchContext> {
  const apiProc = start('dist/src/app/main.js', { ...baseEnv, APP_ROLE: 'api', PORT: '0' });
  procs.push(apiProc);
  const [, apiUrl] = await waitForOutput(apiProc, /listening on (http:\/\/[\d.:]+)\/api\/v1/);
  const ceiling = start('dist/bench/ceiling.js', { ...baseEnv, PORT: '0' });
  procs.push(ceiling);
  const [, ceilingUrl] = await waitForOutput(ceiling, /ceiling listening on (http:\/\/[\d.:]+)/);

  const { accessToken } = await api<{ accessToken: string }>(apiUrl, '/api/v1/auth/login', undefined, BENCH_ADMIN);
  const agent = await api<{ id: string }>(apiUrl, '/api/v1/agents', accessToken, {
    name: 'bench-calc',
    type: 'calculator',
    concurrency: 1000,
  });
  const ceilingToken = new JwtService({ secret: JWT_SECRET }).sign(
    { sub: 'bench' },
    { algorithm: 'HS256', expiresIn: 3600 },
  );
  const db = new Client({ connectionString: baseEnv.DATABASE_URL });
  db.on('error', () => undefined);
  await db.connect();
  let worker: Promise<Proc> | undefined;
  return {
    apiUrl,
    ceilingUrl,
    accessToken,
    ceilingToken,
    agentId: agent.id,
    db,
    api: apiProc,
    ceiling,
    env: baseEnv,
    prefix: PREFIX,
    worker: () =>
      (worker ??= (async () => {
        const proc = start('dist/src/app/main.js', { ...baseEnv, APP_ROLE: 'worker' });
        procs.push(proc);
        await waitForOutput(proc, /YMERA worker started/);
        return proc;
      })()),
    call: <T>(path: string, body?: unknown) => api<T>(apiUrl, path, accessToken, body),
  };
}

/** The finished tasks (c) lists, written straight into Postgres. */
async function seedFinishedTasks(ctx: BenchContext): Promise<void> {
  const [{ id: adminId }] = (await ctx.db.query(`SELECT id FROM users WHERE email = $1`, [BENCH_ADMIN.email])).rows as {
    id: string;
  }[];
  await ctx.db.query(
    `INSERT INTO tasks (agent_id, status, input, output, max_attempts, priority, backoff_ms, created_by, created_at, finished_at, attempts)
     SELECT $1, CASE WHEN g % 4 = 0 THEN 'failed' ELSE 'succeeded' END, '{"expression":"1"}', '{"result":1}', 3, 5, 1000, $2,
            now() - (g || ' seconds')::interval, now(), 1
     FROM generate_series(1, 100000) g`,
    [ctx.agentId, adminId],
  );
  await ctx.db.query('ANALYZE tasks');
}

async function scenarios(ctx: BenchContext, rows: Row[]): Promise<void> {
  const bootApi = rssMb(ctx.api.child.pid!);
  if (want('e')) await sleep(SETTLE_S * 1000);
  const memory: StartupMemory = { bootApi, idleApi: rssMb(ctx.api.child.pid!), idleApiHeap: await apiHeap(ctx.apiUrl) };
  if (want('a')) rows.push(submitVsCeiling(ctx));
  if (want('b')) rows.push(await readVsCeiling(ctx));
  await seedFinishedTasks(ctx);
  if (want('c')) rows.push(filteredList(ctx));
  if (want('d')) rows.push(...(await throughput(ctx, want('e') ? memory : undefined)));
  if (want('l')) rows.push(await bulkRetry(ctx));
}

function report(rows: Row[]): void {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    rounds: ROUNDS,
  };
  process.stdout.write(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}\n`,
  );
  for (const row of rows)
    process.stdout.write(
      `${row.met ? 'MET   ' : 'MISSED'}  ${row.scenario}\n        ${row.value}  [target ${row.target}]\n`,
    );
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, rows }, null, 2));
  const met = rows.filter((r) => r.met).length;
  process.stdout.write(`results: ${file}\nbench: ${met} targets met, ${rows.length - met} missed\n`);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const procs: Proc[] = [];
  const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await pg.connect();
  try {
    const ctx = await setUp(procs);
    try {
      await scenarios(ctx, rows);
    } finally {
      await ctx.db.end();
    }
  } catch (err) {
    for (const proc of procs) process.stderr.write(`--- exit ${proc.child.exitCode}\n${proc.output().slice(-3000)}\n`);
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    throw err;
  } finally {
    await Promise.all(procs.map(stop));
    await pg.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`).catch(() => undefined);
    await pg.end();
    await dropRedisKeys(PREFIX).catch(() => undefined);
  }
  report(rows);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
