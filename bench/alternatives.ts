import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { BenchContext } from './context';
import {
  backendCpuSeconds,
  cpuSeconds,
  machineCpuSeconds,
  NODE_FLAGS,
  PROFILE,
  ROOT,
  type Row,
  spentBy,
  untilQuiet,
} from './harness';
import { PG_SERVER, REDIS_URL } from './server-env';
import { clearBacklog, drainTasks } from './throughput';

/**
 * (k) The same jobs through what a user might pick instead (graphile-worker, pg-boss; bench/alternative-worker.ts,
 * each in a process of its own on a database of its own on the same Postgres), interleaved with (d)'s YMERA run
 * in every round (alternative, YMERA, next alternative, YMERA, …): each alternative's rate is compared with the
 * YMERA run right after it, and the median round's ratio is reported. Each measured run starts once the machine is
 * quiet ({@link untilQuiet}): none pays for the autovacuum or WAL the run before it left. CPU is read per process
 * from /proc: each contender's own processes, the Postgres backends connected to its database, and (YMERA only) the
 * Redis server.
 */
const TASKS = Number(process.env.BENCH_K_TASKS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_K_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_K_WARMUP ?? 1000);
const ALTERNATIVES = (process.env.BENCH_K_ALTS ?? 'graphile,pgboss,graphile-plain').split(',').filter(Boolean);
const LABEL: Record<string, string> = {
  graphile: 'graphile-worker 0.18 (local queue 500, batched completion)',
  'graphile-plain': 'graphile-worker 0.18 (defaults: no local queue, completion per job)',
  pgboss: 'pg-boss 12 (batchSize 100, one insert per batch)',
};

/** CPU seconds per 1,000 jobs, by stage. */
interface Stages {
  [stage: string]: number;
}

interface Measured {
  rate: number;
  /** CPU seconds per 1,000 jobs of each stage, and `total`: their sum. */
  stages: Stages;
  /** CPU seconds per 1,000 jobs of the whole machine (other work on it included). */
  machine: number;
  /** Postgres transactions per 1,000 jobs in the contender's database(s), from pg_stat_database. */
  transactions: number;
  /** Redis commands per 1,000 jobs (YMERA only; the server is shared, so others' commands count too). */
  redisCommands?: number;
}

interface Alternative {
  kind: string;
  db: string;
  child: ChildProcess;
  lines: string[];
  output: string;
}

export async function alternatives(ctx: BenchContext): Promise<Row[]> {
  const ymeraDb = new URL(ctx.env.DATABASE_URL!).pathname.slice(1);
  await clearBacklog(ctx);
  const worker = await ctx.worker();
  const ymeraPids = { api: ctx.api.child.pid!, worker: worker.child.pid! };
  const alts: Alternative[] = [];
  try {
    for (const kind of ALTERNATIVES)
      alts.push(await startAlternative(ctx, `${ymeraDb}_${kind.replace('-', '_')}`, kind));
    const ymera = (): Promise<Measured> =>
      measure(ctx, [ymeraDb], ymeraPids, true, () => drainTasks(ctx, TASKS).then(() => undefined));
    const alt = (a: Alternative, round: string, n: number): Promise<Measured> => {
      if (a.child.exitCode !== null)
        throw new Error(`${a.kind} exited (${a.child.exitCode}):\n${a.output.slice(-3000)}`);
      return measure(ctx, [a.db], { [a.kind]: a.child.pid! }, false, () => runAlternative(a, n, round));
    };
    // Warm-up, not counted: every contender's hot paths compiled before the first measured round.
    for (const a of alts) await alt(a, 'warmup', WARMUP);
    await drainTasks(ctx, WARMUP);
    const results = new Map<string, { alt: Measured; ymera: Measured }[]>(alts.map((a) => [a.kind, []]));
    for (let round = 0; round < ROUNDS; round += 1)
      for (const a of alts) {
        await untilQuiet();
        const measuredAlt = await alt(a, `r${round}`, TASKS);
        await untilQuiet();
        const measuredYmera = await ymera();
        results.get(a.kind)!.push({ alt: measuredAlt, ymera: measuredYmera });
        process.stdout.write(
          `(k) round ${round + 1} ${a.kind}: ${measuredAlt.rate} jobs/s, YMERA ${measuredYmera.rate} tasks/s\n`,
        );
      }
    return [summarize(results)];
  } finally {
    for (const a of alts) await stopAlternative(a);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function medianStages(all: Measured[]): Measured {
  const stages: Stages = {};
  for (const stage of Object.keys(all[0].stages)) stages[stage] = median(all.map((m) => m.stages[stage]));
  const commands = all.map((m) => m.redisCommands).filter((n) => n !== undefined);
  return {
    rate: median(all.map((m) => m.rate)),
    stages,
    machine: median(all.map((m) => m.machine)),
    transactions: median(all.map((m) => m.transactions)),
    ...(commands.length ? { redisCommands: median(commands) } : {}),
  };
}

const fmt = (s: number): string => s.toFixed(3);
const describe = (name: string, m: Measured): string =>
  `${name}: ${m.rate}/s; CPU s per 1,000: ${Object.entries(m.stages)
    .map(([stage, s]) => `${stage} ${fmt(s)}`)
    .join(', ')} (machine ${fmt(m.machine)}); Postgres transactions ${m.transactions}` +
  (m.redisCommands === undefined ? '' : `, Redis commands ${m.redisCommands} (all clients')`);

function summarize(results: Map<string, { alt: Measured; ymera: Measured }[]>): Row {
  const lines: string[] = [];
  const detail: Record<string, unknown> = { tasks: TASKS, rounds: ROUNDS };
  let rateRatio = 0;
  let cpuRatio = Infinity;
  const allYmera: Measured[] = [];
  for (const [kind, pairs] of results) {
    const ratios = pairs.map((p) => p.ymera.rate / p.alt.rate);
    const cpus = pairs.map((p) => p.ymera.stages.total / p.alt.stages.total);
    const alt = medianStages(pairs.map((p) => p.alt));
    allYmera.push(...pairs.map((p) => p.ymera));
    lines.push(
      `${describe(LABEL[kind] ?? kind, alt)}\n          YMERA/it: ${(median(ratios) * 100).toFixed(0)} % of its rate ` +
        `(rounds ${ratios.map((r) => (r * 100).toFixed(0)).join(' / ')}), ${median(cpus).toFixed(1)}× its CPU per job`,
    );
    detail[kind] = { median: alt, ratios, cpuRatios: cpus, rounds: pairs };
    if (kind === 'graphile') {
      rateRatio = median(ratios);
      cpuRatio = median(cpus);
    }
  }
  const ymera = medianStages(allYmera);
  detail.ymera = ymera;
  lines.unshift(describe('YMERA (d)', ymera));
  for (const line of lines) process.stdout.write(`(k) ${line}\n`);
  return {
    scenario: `(k) ${TASKS.toLocaleString('en')} jobs (i * 3, stored) vs graphile-worker and pg-boss, interleaved`,
    value: lines.join('\n        '),
    target: 'YMERA ≥ 33 % of graphile-worker (batched) jobs/s, ≤ 4× its CPU per job',
    met: rateRatio >= 0.33 && cpuRatio <= 4,
    detail,
  };
}

/** CPU seconds so far of the Postgres backends connected to these databases, by pid. */
/** Transactions so far in these databases. */
async function transactions(ctx: BenchContext, dbs: string[]): Promise<number> {
  const { rows } = await ctx.db.query<{ n: string }>(
    'SELECT sum(xact_commit + xact_rollback) AS n FROM pg_stat_database WHERE datname = ANY($1)',
    [dbs],
  );
  return Number(rows[0].n);
}

/** Commands Redis has run so far (every client's), from INFO stats. */
async function redisCommands(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
}

/** Runs `work` (TASKS jobs) and reads the CPU every stage spent on it. */
async function measure(
  ctx: BenchContext,
  dbs: string[],
  pids: Record<string, number>,
  redis: boolean,
  work: () => Promise<unknown>,
): Promise<Measured> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const pgBefore = await backendCpuSeconds(ctx.db, dbs);
  const redisClient = redis ? new Redis(REDIS_URL) : undefined;
  const commandsBefore = redisClient ? await redisCommands(redisClient) : 0;
  const xactBefore = await transactions(ctx, dbs);
  const machineBefore = machineCpuSeconds();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const machineAfter = machineCpuSeconds();
  const pgAfter = await backendCpuSeconds(ctx.db, dbs);
  // Postgres publishes a backend's counts within a second of its transactions.
  await sleep(1100);
  const xact = (await transactions(ctx, dbs)) - xactBefore;
  const commands = redisClient ? (await redisCommands(redisClient)) - commandsBefore : undefined;
  redisClient?.disconnect();
  const per1000 = (s: number): number => (s * 1000) / TASKS;
  const stages: Stages = {};
  for (const [name, pid] of Object.entries(pids)) stages[name] = per1000(cpuSeconds(pid) - before[name]);
  let postgres = 0;
  for (const [pid, s] of pgAfter) postgres += s - (pgBefore.get(pid) ?? 0);
  stages.postgres = per1000(postgres);
  if (redis) stages.redis = per1000(spentBy('redis-server', machineBefore, machineAfter));
  stages.total = Object.values(stages).reduce((x, y) => x + y, 0);
  return {
    rate: Math.round(TASKS / seconds),
    stages,
    machine: per1000(machineAfter.total - machineBefore.total),
    transactions: Math.round(per1000(xact)),
    ...(commands === undefined ? {} : { redisCommands: Math.round(per1000(commands)) }),
  };
}

async function startAlternative(ctx: BenchContext, db: string, kind: string): Promise<Alternative> {
  const admin = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${db}"`);
  await admin.end();
  const flags = [...NODE_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles')}`] : [])];
  const child = spawn(process.execPath, [...flags, 'dist/bench/alternative-worker.js'], {
    cwd: ROOT,
    env: { PATH: ctx.env.PATH, DATABASE_URL: `${PG_SERVER}/${db}`, BENCH_ALT: kind, NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const a: Alternative = { kind, db, child, lines: [], output: '' };
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    a.lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (a.output += chunk.toString()));
  await nextLine(a, /^ready$/, 120_000);
  return a;
}

async function nextLine(a: Alternative, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = a.lines.shift();
    const match = line === undefined ? null : pattern.exec(line);
    if (match) return match;
    if (line !== undefined) continue;
    if (Date.now() > deadline || a.child.exitCode !== null)
      throw new Error(`${a.kind}: waiting for ${pattern}:\n${a.output.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function runAlternative(a: Alternative, n: number, round: string): Promise<void> {
  a.child.stdin!.write(`run ${n} ${round}\n`);
  await nextLine(a, /^done (\d+)$/, 600_000);
}

async function stopAlternative(a: Alternative): Promise<void> {
  if (a.child.exitCode === null) {
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.stdin!.end('exit\n');
    const timer = setTimeout(() => a.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  const admin = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${a.db}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
}
