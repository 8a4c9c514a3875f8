import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';
import { BENCH_ADMIN, benchServerEnv, PG_SERVER, REDIS_URL } from './server-env';

/**
 * `npm run bench:audit -- <other checkout>`: one audited change (`POST /api/v1/agents`, each with a name of
 * its own) served by this build and by another built checkout (`npm run build:server` there, e.g. one from before a change to the
 * audit path), one API process each on one database and Redis, in interleaved rounds (each build first in
 * every other round, so the machine's drift favours neither). Prints requests/s and the API process's CPU
 * per request of each round, and the median ratios (this build ÷ the other).
 */
const ROOT = join(__dirname, '..', '..');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const id = Date.now().toString(36);
const DB = `ymera_bench_${id}`;
const PREFIX = `bench-${id}`;
const ADMIN = BENCH_ADMIN;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const env = benchServerEnv(DB, PREFIX);

interface Api {
  name: string;
  child: ChildProcess;
  url: string;
  token: string;
}

interface Load {
  rps: number;
  cpuUs: number;
  errors: number;
}

async function startApi(name: string, root: string): Promise<Api> {
  const child = spawn(process.execPath, ['--expose-gc', 'dist/src/app/main.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  let match: RegExpExecArray | null;
  while (!(match = /listening on (http:\/\/[\d.:]+)\/api\/v1/.exec(output))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${name} did not start:\n${output}`);
    await sleep(100);
  }
  const url = match[1];
  const { accessToken: token } = await post<{ accessToken: string }>(url, '/api/v1/auth/login', undefined, ADMIN);
  return { name, child, url, token };
}

async function post<T>(base: string, path: string, token: string | undefined, body: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function autocannon(api: Api, seconds: number): { rps: number; total: number; errors: number } {
  const out = JSON.parse(
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/autocannon/autocannon.js'),
        '-j',
        '-c',
        String(CONNECTIONS),
        '-d',
        String(seconds),
        '-m',
        'POST',
        // `[<id>]` is a random id per request (-I): every agent gets a name of its own.
        '-I',
        '-b',
        JSON.stringify({ name: `bench-${api.name}-[<id>]`, type: 'calculator' }),
        '-H',
        'content-type=application/json',
        '-H',
        `authorization=Bearer ${api.token}`,
        `${api.url}/api/v1/agents`,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    ).toString(),
  ) as { requests: { average: number; total: number }; non2xx: number; errors: number };
  return { rps: out.requests.average, total: out.requests.total, errors: out.non2xx + out.errors };
}

function load(api: Api): Load {
  if (WARMUP_S > 0) autocannon(api, WARMUP_S);
  const before = cpuSeconds(api.child.pid!);
  const { rps, total, errors } = autocannon(api, DURATION_S);
  return { rps: Math.round(rps), cpuUs: Math.round(((cpuSeconds(api.child.pid!) - before) * 1e6) / total), errors };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const other = process.argv[2] ? resolve(process.argv[2]) : undefined;
  if (!other || !existsSync(join(other, 'dist/src/app/main.js'))) {
    throw new Error('usage: npm run bench:audit -- <checkout with dist/src/app/main.js built>');
  }
  const apis: Api[] = [];
  try {
    // One after the other: the first creates the database and the admin.
    apis.push(await startApi('other', other));
    apis.push(await startApi('this', ROOT));
    const [base, current] = apis;
    const rounds: { this: Load; other: Load }[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const order = i % 2 === 0 ? [base, current] : [current, base];
      const [first, second] = order.map(load);
      const round = i % 2 === 0 ? { other: first, this: second } : { this: first, other: second };
      rounds.push(round);
      process.stdout.write(
        `round ${i + 1}: this ${round.this.rps} req/s, ${round.this.cpuUs} µs CPU/req; ` +
          `other ${round.other.rps} req/s, ${round.other.cpuUs} µs CPU/req` +
          `${round.this.errors + round.other.errors ? ` (errors ${round.this.errors}/${round.other.errors})` : ''}\n`,
      );
    }
    const rps = median(rounds.map((r) => r.this.rps / r.other.rps));
    const cpu = median(rounds.map((r) => r.this.cpuUs / r.other.cpuUs));
    process.stdout.write(
      `POST /api/v1/agents, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s: ` +
        `median this ${median(rounds.map((r) => r.this.rps))} req/s and ${median(rounds.map((r) => r.this.cpuUs))} µs CPU/req, ` +
        `other ${median(rounds.map((r) => r.other.rps))} req/s and ${median(rounds.map((r) => r.other.cpuUs))} µs CPU/req; ` +
        `ratio this ÷ other: req/s ${rps.toFixed(2)}, CPU per request ${cpu.toFixed(2)}\n`,
    );
  } finally {
    await Promise.all(apis.map((api) => stop(api.child)));
    const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`).catch(() => undefined);
    await pg.end();
    const redis = new Redis(REDIS_URL);
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
