import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import type { Client } from 'pg';
import { REDIS_URL } from './server-env';

/**
 * What every scenario of `npm run bench` shares: starting and stopping processes, autocannon loads and the
 * CPU they cost, ceilings compared round by round, and calls to the API.
 */
export const ROOT = join(__dirname, '..', '..');
export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
/** Load before each measured one, not counted. */
export const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
/**
 * Rounds of ceiling-then-platform load for (a) and (b); the ratio reported is the median round's. This
 * machine's speed drifts by tens of percent within minutes, and a ratio from loads minutes apart measures
 * the drift as much as the platform.
 */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Concurrent connections for the list's latency target (c). */
export const LIST_CONNECTIONS = Number(process.env.BENCH_LIST_CONNECTIONS ?? 10);
/**
 * Idle time before memory is read, both times: after start-up and after (d). V8 gives back what a busy
 * stretch (start-up is one) left behind only once a process has been idle for some seconds, so the two
 * readings are only comparable when both wait as long.
 */
export const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 20);

export interface Proc {
  child: ChildProcess;
  output: () => string;
}

/** BENCH_PROFILE=1 writes a V8 CPU profile of each process to bench/profiles/ (open it in Chrome DevTools). */
export const PROFILE = process.env.BENCH_PROFILE === '1';
/** BENCH_NODE_FLAGS="--flag …" starts every process (platform and ceilings alike) with those Node flags. */
export const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

export function start(script: string, env: Record<string, string | undefined>): Proc {
  // The platform runs as `npm start` runs it (--expose-gc lets an idle process give memory back).
  const platform = script === 'dist/src/app/main.js' ? ['--expose-gc'] : [];
  const flags = [
    ...NODE_FLAGS,
    ...platform,
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles')}`] : []),
  ];
  const child = spawn(process.execPath, [...flags, script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  return { child, output: () => text };
}

/** SIGTERM, then up to 30 s for a graceful exit (a CPU profile is written on exit), then SIGKILL. */
export async function stop(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

export async function waitForOutput(proc: Proc, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(proc.output());
    if (match) return match;
    if (Date.now() > deadline || proc.child.exitCode !== null)
      throw new Error(`waiting for ${pattern}:\n${proc.output().slice(-2000)}`);
    await sleep(100);
  }
}

/** The api's V8 heap (used and committed, MB) from its /metrics: tells garbage from growth. */
export async function apiHeap(apiUrl: string): Promise<{ used: number; total: number }> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const read = (name: string): number =>
    Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 1024 / 1024);
  return { used: read('nodejs_heap_size_used_bytes'), total: read('nodejs_heap_size_total_bytes') };
}

export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (user + system, seconds) a process has used so far. */
export function cpuSeconds(pid: number): number {
  return procStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).seconds;
}

/**
 * CPU seconds so far of each Postgres backend connected to `dbs` (the current database by default), found through
 * `db`; a backend that ends in between is left out.
 */
export async function backendCpuSeconds(db: Pick<Client, 'query'>, dbs?: string[]): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = ANY(coalesce($1::text[], ARRAY[current_database()::text]))',
    [dbs ?? null],
  );
  const seconds = new Map<number, number>();
  for (const { pid } of rows)
    try {
      seconds.set(pid, cpuSeconds(pid));
    } catch {
      // the backend ended in between
    }
  return seconds;
}

/** A process's name and CPU time (user + system, seconds) from its `/proc/<pid>/stat`. */
export function procStat(stat: string): { name: string; seconds: number } {
  // The command name is in parentheses and may hold spaces; of the fields after it, utime and stime are the
  // 12th and 13th.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
  };
}

export interface MachineCpu {
  /** CPU time (seconds) so far of each process named `postgres` or `redis-server`, by pid. */
  processes: Map<string, { name: string; seconds: number }>;
  /** CPU time (seconds) of the whole machine. */
  total: number;
}

export function machineCpuSeconds(): MachineCpu {
  const processes: MachineCpu['processes'] = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let proc: { name: string; seconds: number };
    try {
      proc = procStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
    } catch {
      continue; // the process ended in between
    }
    if (proc.name === 'postgres' || proc.name === 'redis-server') processes.set(entry, proc);
  }
  return { processes, total: machineBusySeconds() };
}

/**
 * The whole machine's busy CPU seconds so far, every core's: the first line of /proc/stat (user nice system idle
 * iowait irq softirq steal, in clock ticks), idle and iowait left out.
 */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/**
 * Waits until the machine is quiet: less than `busyBelow` of its cores busy over half a second, or `maxMs` gone.
 * A measured run then does not pay for what the run before it left to do (autovacuum of the rows it wrote, the
 * WAL it flushes): interleaved runs are compared on an equal footing.
 */
export async function untilQuiet(maxMs = 15_000, busyBelow = 0.15): Promise<void> {
  const cores = availableParallelism();
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const before = machineBusySeconds();
    await sleep(500);
    if ((machineBusySeconds() - before) / (0.5 * cores) < busyBelow) return;
  }
}

/**
 * CPU time spent between two readings by processes of that name: a process that started in between counts
 * from zero, and one that ended in between (a Postgres backend) is left out.
 */
export function spentBy(name: string, before: MachineCpu, after: MachineCpu): number {
  let seconds = 0;
  for (const [pid, proc] of after.processes)
    if (proc.name === name) seconds += proc.seconds - (before.processes.get(pid)?.seconds ?? 0);
  return seconds;
}

/** Every key under a prefix (a run's platform, ceiling and raw queue all live under one). */
export async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /**
   * CPU time the measured process spent per request (µs), when its pid is known: it leaves out the load
   * generator and the databases (it still moves with the machine's speed).
   */
  cpuUs?: number;
  /** CPU per request (µs) of Postgres (every backend) and Redis, and of the whole machine, load generator included. */
  machineCpuUs?: { postgres: number; redis: number; total: number };
}

export interface LoadOptions {
  method?: string;
  body?: string;
  token?: string;
  connections?: number;
  /** The process serving the load, whose CPU time is measured. */
  pid?: number;
}

/**
 * autocannon in its own process: WARMUP_S of load that is not counted (the JIT compiles the hot paths of
 * whichever app is measured, ceiling or platform alike), then DURATION_S that is.
 */
export function load(url: string, options: LoadOptions): Load {
  if (WARMUP_S > 0) run(url, options, WARMUP_S);
  const cpuBefore = options.pid ? cpuSeconds(options.pid) : 0;
  const machineBefore = machineCpuSeconds();
  const result = run(url, options, DURATION_S);
  if (!options.pid || result.requests === 0) return result.load;
  const machineAfter = machineCpuSeconds();
  const perRequest = (seconds: number): number => Math.round((seconds * 1e6) / result.requests);
  return {
    ...result.load,
    cpuUs: perRequest(cpuSeconds(options.pid) - cpuBefore),
    machineCpuUs: {
      postgres: perRequest(spentBy('postgres', machineBefore, machineAfter)),
      redis: perRequest(spentBy('redis-server', machineBefore, machineAfter)),
      total: perRequest(machineAfter.total - machineBefore.total),
    },
  };
}

export function run(url: string, options: LoadOptions, seconds: number): { load: Load; requests: number } {
  const args = [
    join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(options.connections ?? 100),
    '-d',
    String(seconds),
  ];
  if (options.method) args.push('-m', options.method);
  if (options.body) args.push('-b', options.body, '-H', 'content-type=application/json');
  if (options.token) args.push('-H', `authorization=Bearer ${options.token}`);
  args.push(url);
  const out = JSON.parse(execFileSync(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }).toString()) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    load: {
      rps: Math.round(out.requests.average),
      p50: out.latency.p50,
      p99: out.latency.p99,
      errors: out.non2xx + out.errors,
    },
    requests: out.requests.total,
  };
}

export interface Compared {
  platform: Load;
  ceiling: Load;
  ratio: number;
  rounds: { platform: Load; ceiling: Load; ratio: number }[];
}

/**
 * ROUNDS of the ceiling's load and the platform's, back to back, the ceiling first in every other round (so a
 * machine that speeds up or slows down over a run favours neither); the round with the median ratio.
 */
export function compare(ceilingUrl: string, ceilingOptions: LoadOptions, url: string, options: LoadOptions): Compared {
  const rounds: Compared['rounds'] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    let ceiling: Load;
    let platform: Load;
    if (i % 2 === 0) {
      ceiling = load(ceilingUrl, ceilingOptions);
      platform = load(url, options);
    } else {
      platform = load(url, options);
      ceiling = load(ceilingUrl, ceilingOptions);
    }
    rounds.push({ platform, ceiling, ratio: platform.rps / ceiling.rps });
  }
  const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor((rounds.length - 1) / 2)];
  return { ...median, rounds };
}

/** The CPU each process spent per request in the reported round. */
export function cpuPerRequest(platform: Load, ceiling: Load): string {
  const parts = (load: Load): string =>
    load.machineCpuUs
      ? `${load.cpuUs} app + ${load.machineCpuUs.postgres} Postgres + ${load.machineCpuUs.redis} Redis, ${load.machineCpuUs.total} machine`
      : `${load.cpuUs ?? '?'}`;
  return `CPU µs per request ${parts(platform)} (ceiling ${parts(ceiling)})`;
}

export function roundRatios(compared: Compared): string {
  return compared.rounds.map((r) => `${(r.ratio * 100).toFixed(0)}`).join(' / ');
}

export async function api<T>(base: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await apiOnce<T>(base, path, token, body);
    } catch (err) {
      if (attempt >= 5) throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
      await sleep(1000);
    }
  }
}

export async function apiOnce<T>(base: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

export interface Row {
  scenario: string;
  value: string;
  target: string;
  met: boolean;
  detail: Record<string, unknown>;
}
