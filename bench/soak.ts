import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';

/**
 * `npm run soak`: the promise "nothing is lost", under chaos. Two API and two worker processes of the built
 * app run on a Redis server and a database of their own; tasks whose right output the client knows are
 * submitted through both APIs while a worker is SIGKILLed every few seconds, Redis is SIGKILLed and
 * restarted empty once (a few seconds after a worker kill, while that worker's jobs are still locked) and an
 * API is SIGKILLed once. Then every task must have succeeded exactly once with the right output, the client
 * must have seen no 5xx but 503/504, and the audit chain must verify. Prints figures and every violation,
 * with evidence. The same {@link runSoak} backs the short end-to-end test (test/soak.e2e-spec.ts).
 */

const ROOT = existsSync(join(__dirname, '..', 'node_modules')) ? join(__dirname, '..') : join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'app', 'main.js');

export interface SoakOptions {
  /** Tasks to submit (SOAK_TASKS). */
  tasks: number;
  /** Submissions are spread over this window, and the chaos runs during it (SOAK_DURATION). */
  durationMs: number;
  /** SOAK_CHAOS=0 kills nothing: a control run, which must pass whatever the platform's state. */
  chaos: boolean;
  /** A worker is SIGKILLed (and restarted) this often, the two in turn (SOAK_KILL_INTERVAL_MS). */
  killIntervalMs: number;
  /** Redis is SIGKILLed this long after the first worker kill past half the window (SOAK_REDIS_AFTER_KILL_MS). */
  redisAfterKillMs: number;
  /** How long Redis stays down (SOAK_REDIS_DOWN_MS). */
  redisDownMs: number;
  /** When, into the window, an API is SIGKILLed (SOAK_API_KILL_AT_MS; 30 % of the window by default). */
  apiKillAtMs: number;
  /** The share of slow tasks: an http agent whose remote answers after a random delay (SOAK_SLOW_SHARE). */
  slowShare: number;
  /** The slowest answer of that remote, ms (SOAK_SLOW_MAX_MS). */
  slowMaxMs: number;
  /** How long, after the window and the last submission, every task has to finish (SOAK_DRAIN_TIMEOUT_MS). */
  drainTimeoutMs: number;
  /** Seeds the task inputs and the choice of API (SOAK_SEED). */
  seed: number;
  /** Submissions in flight at most (SOAK_SUBMIT_CONCURRENCY). */
  submitConcurrency: number;
  /** Settings of the platform's processes. */
  lockDurationMs: number;
  reconcileIntervalMs: number;
  workerConcurrency: number;
  /** The PostgreSQL server the soak creates its database on (SOAK_DATABASE_SERVER). */
  pgServer: string;
  /** Process logs go here; kept when the soak fails or SOAK_KEEP_LOGS=1. */
  logDir: string;
  keepLogs: boolean;
  /** Progress and the summary, one line at a time. */
  log: (line: string) => void;
  /** Aborting stops the soak early; everything it started is still cleaned up. */
  signal?: AbortSignal;
}

/** "90s", "1500ms", "3m" → ms; a bare number is in `unit`. */
function parseDuration(value: string, unit: 'ms' | 's'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  const n = Number(match[1]);
  const suffix = match[2] ?? unit;
  return Math.round(suffix === 'ms' ? n : suffix === 'm' ? n * 60_000 : n * 1000);
}

/** The options of a full run, each overridable from the environment. */
export function soakOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  defaults: Partial<SoakOptions> = {},
): SoakOptions {
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not ${raw}`);
    return n;
  };
  // SOAK_DURATION is in seconds unless it says otherwise; the *_MS settings in milliseconds.
  const ms = (name: string, fallback: number): number =>
    env[name] === undefined || env[name] === ''
      ? fallback
      : parseDuration(env[name]!, name.endsWith('_MS') ? 'ms' : 's');
  const durationMs = ms('SOAK_DURATION', defaults.durationMs ?? 180_000);
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return {
    tasks: num('SOAK_TASKS', defaults.tasks ?? 1000),
    durationMs,
    chaos: env.SOAK_CHAOS === undefined || env.SOAK_CHAOS === '' ? (defaults.chaos ?? true) : env.SOAK_CHAOS !== '0',
    killIntervalMs: ms('SOAK_KILL_INTERVAL_MS', defaults.killIntervalMs ?? 5000),
    redisAfterKillMs: ms('SOAK_REDIS_AFTER_KILL_MS', defaults.redisAfterKillMs ?? 2000),
    redisDownMs: ms('SOAK_REDIS_DOWN_MS', defaults.redisDownMs ?? 1000),
    apiKillAtMs: ms('SOAK_API_KILL_AT_MS', defaults.apiKillAtMs ?? Math.round(durationMs * 0.3)),
    slowShare: num('SOAK_SLOW_SHARE', defaults.slowShare ?? 0.25),
    slowMaxMs: ms('SOAK_SLOW_MAX_MS', defaults.slowMaxMs ?? 3000),
    drainTimeoutMs: ms('SOAK_DRAIN_TIMEOUT_MS', defaults.drainTimeoutMs ?? 180_000),
    seed: num('SOAK_SEED', defaults.seed ?? Math.floor(Math.random() * 2 ** 31)),
    submitConcurrency: num('SOAK_SUBMIT_CONCURRENCY', defaults.submitConcurrency ?? 32),
    lockDurationMs: ms('SOAK_LOCK_DURATION_MS', defaults.lockDurationMs ?? 5000),
    reconcileIntervalMs: ms('SOAK_RECONCILE_INTERVAL_MS', defaults.reconcileIntervalMs ?? 2000),
    workerConcurrency: num('SOAK_WORKER_CONCURRENCY', defaults.workerConcurrency ?? 10),
    pgServer: env.SOAK_DATABASE_SERVER ?? defaults.pgServer ?? 'postgres://postgres@127.0.0.1:5432',
    logDir: env.SOAK_LOG_DIR ?? defaults.logDir ?? join(tmpdir(), `ymera-soak-${id}`),
    keepLogs: env.SOAK_KEEP_LOGS === '1' || (defaults.keepLogs ?? false),
    log: defaults.log ?? ((line) => process.stdout.write(`${line}\n`)),
    signal: defaults.signal,
  };
}

/** What a run found. `violations` is empty when every promise held. */
export interface SoakReport {
  seed: number;
  tasks: { planned: number; submitted: number; slow: number };
  statuses: Record<string, number>;
  lost: number;
  wrong: number;
  duplicates: number;
  client: Record<string, number>;
  /** SIGKILLs performed; `skippedTicks`: worker ticks that found a worker still starting. */
  kills: { worker: number; api: number; redis: number; skippedTicks: number };
  remoteExecutions: { calls: number; tasksRunTwiceOrMore: number };
  /** What the workers' reconcilers logged: tasks queued again, running tasks taken over. */
  reconciler: { requeued: number; takenOver: number };
  auditValid: boolean | undefined;
  auditChecked: number;
  durationMs: number;
  submitMs: number;
  drainMs: number;
  tasksPerSecond: number;
  violations: string[];
  logDir: string;
}

/** mulberry32: a small seeded generator, so a run's inputs can be made again. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port below the ephemeral range, so Redis can be started on it again after a kill. */
async function sparePort(): Promise<number> {
  const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (ephemeralLow - 10_000));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port for Redis');
}

/** The exact JSON of a value with its keys sorted, to compare outputs. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

interface Planned {
  index: number;
  key: string;
  slow: boolean;
  input: Record<string, unknown>;
  expected: unknown;
  id?: string;
  /** Set when the client gave up on the submission. */
  unsubmitted?: string;
}

/** Slow tasks' remote: `{sum: a + b, tag: <tag reversed>}`. */
function remoteAnswer(input: { a: number; b: number; tag: string }): { sum: number; tag: string } {
  return { sum: input.a + input.b, tag: [...input.tag].reverse().join('') };
}

function plan(options: SoakOptions, runId: string): Planned[] {
  const random = seeded(options.seed);
  const int = (max: number): number => Math.floor(random() * max);
  return Array.from({ length: options.tasks }, (_, index): Planned => {
    const key = `soak-${runId}-${index}`;
    if (random() < options.slowShare) {
      const input = { a: int(1_000_000), b: int(1_000_000), tag: int(2 ** 31).toString(36) };
      return { index, key, slow: true, input, expected: remoteAnswer(input) };
    }
    const [a, b, x] = [int(10_000), int(10_000), int(10_000)];
    return random() < 0.5
      ? {
          index,
          key,
          slow: false,
          input: { expression: `${a} * x + ${b}`, variables: { x } },
          expected: { result: a * x + b },
        }
      : {
          index,
          key,
          slow: false,
          input: { expression: `(${a} + x) * 3 - ${b}`, variables: { x } },
          expected: { result: (a + x) * 3 - b },
        };
  });
}

/** One process of the platform (or Redis), its output in a file and, for matching, in memory. */
interface Proc {
  name: string;
  child: ChildProcess;
  text: () => string;
  exited: Promise<void>;
}

interface Kill {
  atMs: number;
  what: 'worker' | 'api' | 'redis';
  name: string;
  pid: number;
}

class SoakError extends Error {}

/**
 * A detached process that outlives the soak if the soak is killed outright (SIGKILL, a test runner's
 * timeout): when its stdin closes without `done`, it SIGKILLs every process the soak said it started and
 * still runs, and drops the soak's database. Lines on stdin: `pid <n>`, `gone <n>`, `db <server> <name>`, `done`.
 */
const REAPER = `
const { Client } = require(process.argv[1]);
const pids = new Set();
let server, db, done = false, buffer = '';
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\\n'); i >= 0; i = buffer.indexOf('\\n')) {
    const [command, a, b] = buffer.slice(0, i).split(' ');
    buffer = buffer.slice(i + 1);
    if (command === 'pid') pids.add(Number(a));
    else if (command === 'gone') pids.delete(Number(a));
    else if (command === 'db') [server, db] = [a, b];
    else if (command === 'done') done = true;
  }
});
process.stdin.on('end', async () => {
  if (done) process.exit(0);
  setTimeout(() => process.exit(1), 15000).unref();
  for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch {}
  if (db) {
    const client = new Client({ connectionString: server + '/postgres', connectionTimeoutMillis: 5000 });
    try { await client.connect(); await client.query('DROP DATABASE IF EXISTS "' + db + '" WITH (FORCE)'); } catch {}
    await client.end().catch(() => {});
  }
  process.exit(0);
});
`;

/** Runs the soak and cleans up after it, whatever happens. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const database = `ymera_soak_${runId}`;
  const prefix = `soak-${runId}`;
  const admin = { email: 'admin@soak.local', password: randomBytes(12).toString('base64url') };
  const log = options.log;
  mkdirSync(options.logDir, { recursive: true });
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const stamp = (): string => `${(elapsed() / 1000).toFixed(1).padStart(6)}s`;
  const signal = options.signal;
  const checkAborted = (): void => {
    if (signal?.aborted) throw new SoakError('aborted');
  };
  const pause = async (ms: number): Promise<void> => {
    checkAborted();
    await sleep(ms, undefined, signal ? { signal } : undefined).catch(() => undefined);
    checkAborted();
  };

  const reaper = spawn(process.execPath, ['-e', REAPER, join(ROOT, 'node_modules', 'pg')], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  reaper.unref();
  (reaper.stdin as unknown as { unref(): void }).unref();
  reaper.stdin!.on('error', () => undefined);
  const tellReaper = (line: string): void => {
    if (reaper.stdin!.writable) reaper.stdin!.write(`${line}\n`);
  };
  tellReaper(`db ${options.pgServer} ${database}`);

  const live = new Set<ChildProcess>();
  const streams: WriteStream[] = [];
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.on('exit', killAll);

  const violations: string[] = [];
  const kills: Kill[] = [];
  const client: Record<string, number> = {
    requests: 0,
    created202: 0,
    replayed200: 0,
    status503: 0,
    status504: 0,
    conflict409: 0,
    rateLimited429: 0,
    connectionErrors: 0,
    clientTimeouts: 0,
    unexpected5xx: 0,
    unexpected4xx: 0,
    retries: 0,
  };
  const unexpected: string[] = [];

  // The platform's processes ------------------------------------------------------------------------------
  let redisPort = 0;
  let redis: Proc | undefined;
  const redisUrl = (): string => `redis://127.0.0.1:${redisPort}`;
  const generations = new Map<string, number>();
  const spawned: Proc[] = [];
  const jwtSecret = randomBytes(48).toString('base64url');
  const secretsKey = randomBytes(32).toString('hex');

  const spawnProc = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Proc => {
    const generation = (generations.get(name) ?? 0) + 1;
    generations.set(name, generation);
    const file = createWriteStream(join(options.logDir, `${name}.${generation}.log`));
    streams.push(file);
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    if (child.pid) tellReaper(`pid ${child.pid}`);
    let text = '';
    const collect = (chunk: Buffer): void => {
      file.write(chunk);
      if (text.length < 1_000_000) text += chunk.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, sig) => {
        live.delete(child);
        if (child.pid) tellReaper(`gone ${child.pid}`);
        file.write(`\n[soak] exited with ${sig ?? code} at ${stamp()}\n`);
        resolve();
      }),
    );
    const proc = { name: `${name}#${generation}`, child, text: () => text, exited };
    spawned.push(proc);
    return proc;
  };

  const waitForLine = async (proc: Proc, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(proc.text());
      if (match) return match;
      if (proc.child.exitCode !== null || proc.child.signalCode !== null)
        throw new Error(`${proc.name} exited before ${pattern}: ${proc.text().slice(-1500)}`);
      if (Date.now() > deadline) throw new Error(`${proc.name}: no ${pattern} within ${timeoutMs} ms`);
      await pause(100);
    }
  };

  const sigkill = async (proc: Proc): Promise<void> => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  };

  const startRedis = async (): Promise<void> => {
    redisPort ||= await sparePort();
    const args = ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    redis = spawnProc('redis', 'redis-server', [...args, '--maxmemory-policy', 'noeviction', '--dir', options.logDir]);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const probe = new Redis(redisUrl(), { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${redisPort}: ${redis.text()}`);
      await pause(100);
    }
  };

  const appEnv = (role: 'api' | 'worker'): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    // The soak signs up its operator as a newcomer would.
    AUTH_REGISTRATION: 'open',
    APP_ROLE: role,
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    DATABASE_URL: `${options.pgServer}/${database}`,
    DB_POOL_MAX: '10',
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: prefix,
    JWT_SECRET: jwtSecret,
    JWT_ACCESS_TTL: '12h',
    SECRETS_KEY: secretsKey,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
    RATE_LIMIT_PER_MIN: '100000000',
    RATE_LIMIT_LOGIN_PER_MIN: '100000',
    REQUEST_TIMEOUT_MS: '10000',
    QUEUE_LOCK_DURATION_MS: String(options.lockDurationMs),
    QUEUE_RECONCILE_INTERVAL_MS: String(options.reconcileIntervalMs),
    WORKER_CONCURRENCY: String(options.workerConcurrency),
    LOG_LEVEL: 'warn',
  });
  /** Slot i's current process; an API's URL once it listens (undefined while it is down). */
  const apis: { proc?: Proc; url?: string }[] = [{}, {}];
  const workers: { proc?: Proc; upSince?: number }[] = [{}, {}];

  /** Starts an app process until it comes up (it may not while Redis is down), within `tries` tries. */
  const startApp = async (role: 'api' | 'worker', slot: number, tries = 15): Promise<Proc> => {
    const pattern = role === 'api' ? /listening on (http:\/\/[\d.:]+)\/api\/v1/ : /YMERA worker started/;
    let lastError: unknown;
    for (let attempt = 0; attempt < tries; attempt++) {
      const proc = spawnProc(`${role}${slot + 1}`, process.execPath, [MAIN], appEnv(role));
      if (role === 'api') apis[slot].proc = proc;
      else workers[slot].proc = proc;
      try {
        const match = await waitForLine(proc, pattern, 90_000);
        if (role === 'api') apis[slot].url = match[1];
        return proc;
      } catch (err) {
        if (err instanceof SoakError) throw err;
        lastError = err;
        await sigkill(proc);
        await pause(1000);
      }
    }
    throw new Error(`${role}${slot + 1} did not start: ${(lastError as Error).message}`);
  };

  // The remote agent of slow tasks ------------------------------------------------------------------------
  const remoteCalls = new Map<string, number>();
  let remoteCallCount = 0;
  const remoteRandom = seeded(options.seed ^ 0x5eed);
  const remote: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { taskId: string; input: { a: number; b: number; tag: string } };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as typeof body;
      } catch {
        res.writeHead(400).end();
        return;
      }
      remoteCallCount += 1;
      remoteCalls.set(body.taskId, (remoteCalls.get(body.taskId) ?? 0) + 1);
      const delay = 100 + Math.floor(remoteRandom() * Math.max(0, options.slowMaxMs - 100));
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(remoteAnswer(body.input)));
      }, delay).unref();
    });
  });

  // The client -----------------------------------------------------------------------------------------------
  interface Answer {
    status: number;
    body: { data?: unknown; error?: unknown } | undefined;
    requestId: string | null;
  }
  let apiTurn = 0;
  const call = async (
    slotHint: number,
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer & { api: string }> => {
    // An API that is down (being restarted) has no URL: the other one is asked.
    let slot = slotHint % 2;
    if (!apis[slot].url) slot = 1 - slot;
    const url = apis[slot].url ?? apis[1 - slot].url;
    if (!url) throw Object.assign(new Error('no API is up'), { code: 'NO_API' });
    client.requests += 1;
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let parsed: Answer['body'];
    try {
      parsed = text ? (JSON.parse(text) as Answer['body']) : undefined;
    } catch {
      parsed = { error: text.slice(0, 300) };
    }
    return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id'), api: `api${slot + 1}` };
  };

  /**
   * A request retried as a client would: after a 503/504/409/429, a connection error or a timeout, with
   * backoff, bounded in tries and time. Any other 5xx is recorded as a violation (and retried).
   */
  const callWithRetry = async (
    what: string,
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
    accept: (status: number) => boolean = (s) => s < 300,
  ): Promise<Answer | undefined> => {
    const deadline = Date.now() + 120_000;
    let lastProblem = '';
    for (let attempt = 0; attempt < 40 && Date.now() < deadline; attempt++) {
      checkAborted();
      if (attempt > 0) {
        client.retries += 1;
        await pause(Math.min(2000, 50 * 2 ** attempt) + Math.floor(Math.random() * 100));
      }
      let answer: Answer & { api: string };
      try {
        answer = await call(apiTurn++ + attempt, method, path, token, body, headers);
      } catch (err) {
        if (err instanceof SoakError) throw err;
        const e = err as Error & { code?: string; cause?: { code?: string } };
        if (e.name === 'TimeoutError') client.clientTimeouts += 1;
        else client.connectionErrors += 1;
        lastProblem = `${e.name}: ${e.cause?.code ?? e.code ?? e.message}`;
        continue;
      }
      const { status } = answer;
      if (accept(status)) return answer;
      lastProblem = `${status} ${JSON.stringify(answer.body).slice(0, 300)}`;
      if (status === 503) client.status503 += 1;
      else if (status === 504) client.status504 += 1;
      else if (status === 409) client.conflict409 += 1;
      else if (status === 429) client.rateLimited429 += 1;
      else if (status >= 500) {
        client.unexpected5xx += 1;
        unexpected.push(
          `${what}: ${method} ${path} on ${answer.api} → ${status} (request id ${answer.requestId}) ${JSON.stringify(answer.body).slice(0, 400)}`,
        );
      } else {
        client.unexpected4xx += 1;
        unexpected.push(
          `${what}: ${method} ${path} on ${answer.api} → ${status} (request id ${answer.requestId}) ${JSON.stringify(answer.body).slice(0, 400)}`,
        );
        return undefined;
      }
    }
    violations.push(`${what}: gave up after retries (last: ${lastProblem})`);
    return undefined;
  };

  const data = <T>(answer: Answer | undefined): T => (answer?.body as { data: T }).data;

  let pg: Client | undefined;
  const planned = plan(options, runId);
  let submitMs: number;
  let drainMs: number;
  const statuses: Record<string, number> = {};
  let wrong = 0;
  let duplicates = 0;
  let failed = false;

  try {
    log(
      `soak: ${options.tasks} tasks (${Math.round(options.slowShare * 100)} % slow) over ${options.durationMs / 1000} s, ` +
        (options.chaos ? `a worker killed every ${options.killIntervalMs / 1000} s` : 'no chaos (control run)') +
        `, seed ${options.seed}; ` +
        `QUEUE_LOCK_DURATION_MS=${options.lockDurationMs} QUEUE_RECONCILE_INTERVAL_MS=${options.reconcileIntervalMs} ` +
        `WORKER_CONCURRENCY=${options.workerConcurrency}; logs in ${options.logDir}`,
    );
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (tsc -p tsconfig.build.json)`);
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    const remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    await startRedis();
    // The first API creates the database and migrates it; the others start on a ready schema.
    // A process that cannot start before any chaos has a real problem: it is tried twice, not fifteen times.
    await startApp('api', 0, 2);
    await Promise.all([startApp('api', 1, 2), startApp('worker', 0, 2), startApp('worker', 1, 2)]);
    for (const w of workers) w.upSince = Date.now();
    log(`${stamp()} up: redis on ${redisPort}, ${apis.map((a) => a.url).join(' and ')}, 2 workers`);
    pg = new Client({ connectionString: `${options.pgServer}/${database}` });
    await pg.connect();

    // Users and agents.
    const adminToken = data<{ accessToken: string }>(
      await callWithRetry('login', 'POST', '/api/v1/auth/login', undefined, admin),
    ).accessToken;
    const operator = { email: `operator-${runId}@soak.local`, password: randomBytes(12).toString('base64url') };
    const registered = data<{ id: string }>(
      await callWithRetry('register', 'POST', '/api/v1/auth/register', undefined, { ...operator, name: 'soak' }),
    );
    await callWithRetry('role', 'PATCH', `/api/v1/users/${registered.id}`, adminToken, { role: 'operator' });
    const token = data<{ accessToken: string }>(
      await callWithRetry('login', 'POST', '/api/v1/auth/login', undefined, operator),
    ).accessToken;
    const calc = data<{ id: string }>(
      await callWithRetry('agent', 'POST', '/api/v1/agents', token, {
        name: `soak-calc-${runId}`,
        type: 'calculator',
        concurrency: 1000,
      }),
    );
    const slowAgent = data<{ id: string }>(
      await callWithRetry('agent', 'POST', '/api/v1/agents', token, {
        name: `soak-remote-${runId}`,
        type: 'http',
        concurrency: 1000,
        timeoutMs: 30_000,
        config: { url: `${remoteUrl}/work`, timeoutMs: 20_000 },
      }),
    );
    if (!adminToken || !token || !calc?.id || !slowAgent?.id) throw new Error('could not set up users and agents');

    // Chaos, on timers --------------------------------------------------------------------------------------
    const chaosStart = Date.now();
    const since = (): number => Date.now() - chaosStart;
    const restarts: Promise<unknown>[] = [];
    let wipeAtMs: number | undefined;
    let skippedTicks = 0;
    const upFor = (slot: number): number | undefined => {
      const upSince = workers[slot].upSince;
      return upSince === undefined ? undefined : Date.now() - upSince;
    };

    const killWorker = async (index: number): Promise<void> => {
      const slot = workers[index];
      const proc = slot.proc!;
      slot.upSince = undefined;
      await sigkill(proc);
      kills.push({ atMs: since(), what: 'worker', name: proc.name, pid: proc.child.pid ?? 0 });
      log(`${stamp()} chaos: SIGKILL ${proc.name} (pid ${proc.child.pid})`);
      const killedAt = Date.now();
      const restart = startApp('worker', index).then((next) => {
        slot.upSince = Date.now();
        log(`${stamp()} chaos: ${next.name} up, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
      });
      restart.catch(() => undefined); // awaited below, with the other restarts
      restarts.push(restart);
    };
    const killApi = async (index: number): Promise<void> => {
      const slot = apis[index];
      const proc = slot.proc!;
      // Killed while serving: requests in flight on it are reset, and the client retries them elsewhere.
      await sigkill(proc);
      slot.url = undefined;
      kills.push({ atMs: since(), what: 'api', name: proc.name, pid: proc.child.pid ?? 0 });
      log(`${stamp()} chaos: SIGKILL ${proc.name} (pid ${proc.child.pid})`);
      const killedAt = Date.now();
      const restart = startApp('api', index).then((next) =>
        log(`${stamp()} chaos: ${next.name} up, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`),
      );
      restart.catch(() => undefined); // awaited below, with the other restarts
      restarts.push(restart);
    };
    const wipeRedis = async (): Promise<void> => {
      const proc = redis!;
      await sigkill(proc);
      wipeAtMs = since();
      kills.push({ atMs: wipeAtMs, what: 'redis', name: proc.name, pid: proc.child.pid ?? 0 });
      log(`${stamp()} chaos: SIGKILL ${proc.name} (pid ${proc.child.pid}); restarting it empty`);
      await pause(options.redisDownMs);
      await startRedis();
      log(`${stamp()} chaos: redis is back, empty`);
    };

    /**
     * Every tick a worker is SIGKILLed, the one up the longest, while the other one is up: a restart can take
     * longer than a tick on a busy machine, and a platform with no worker at all proves nothing. A tick that
     * finds a worker still starting is skipped (and counted). Redis is wiped a few seconds after the first
     * kill past half the window (at the window's end if there was none), while that worker's jobs are still
     * locked; an API is killed once.
     */
    const chaos = (async () => {
      if (!options.chaos) return;
      let nextTick = options.killIntervalMs;
      let apiDue: number | undefined = options.apiKillAtMs < options.durationMs ? options.apiKillAtMs : undefined;
      let wipeDue: number | undefined;
      let wiped = false;
      for (let step = 0; step < 10_000; step++) {
        const tick = nextTick < options.durationMs ? nextTick : Infinity;
        const next = Math.min(tick, apiDue ?? Infinity, wipeDue ?? Infinity);
        if (next === Infinity) break;
        const wait = chaosStart + next - Date.now();
        if (wait > 0) await pause(wait);
        if (next === apiDue) {
          apiDue = undefined;
          await killApi(1);
        } else if (next === wipeDue) {
          wipeDue = undefined;
          wiped = true;
          await wipeRedis();
        } else {
          nextTick += options.killIntervalMs;
          const up = [0, 1].filter((i) => upFor(i) !== undefined);
          if (up.length < 2) {
            skippedTicks += 1;
            continue;
          }
          await killWorker(upFor(0)! >= upFor(1)! ? 0 : 1);
          if (!wiped && wipeDue === undefined && since() >= options.durationMs / 2)
            wipeDue = since() + options.redisAfterKillMs;
        }
      }
      if (!wiped) await wipeRedis();
    })();
    chaos.catch(() => undefined); // awaited once the submissions are done

    // Submissions, spread over the window ----------------------------------------------------------------
    let inFlight = 0;
    let submittedCount = 0;
    const submitOne = async (task: Planned): Promise<void> => {
      const body = { agentId: task.slow ? slowAgent.id : calc.id, input: task.input };
      const answer = await callWithRetry(
        `submit ${task.key}`,
        'POST',
        '/api/v1/tasks',
        token,
        body,
        { 'idempotency-key': task.key },
        (s) => s === 202 || s === 200,
      );
      const id = data<{ id: string } | undefined>(answer)?.id;
      if (!answer || !id) {
        task.unsubmitted = answer ? `${answer.status}` : 'no answer';
        return;
      }
      if (answer.status === 202) client.created202 += 1;
      else client.replayed200 += 1;
      task.id = id;
      submittedCount += 1;
    };
    const progress = setInterval(() => {
      void pg!
        .query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`)
        .then(({ rows }) =>
          log(
            `${stamp()} submitted ${submittedCount}/${options.tasks}; ` +
              `${rows.map((r) => `${r.status} ${r.n}`).join(', ') || 'no tasks yet'}; ` +
              `kills ${kills.length}; 503 ${client.status503}, 504 ${client.status504}, ` +
              `connection errors ${client.connectionErrors}`,
          ),
        )
        .catch(() => undefined);
    }, 5000);
    const submissions: Promise<void>[] = [];
    const submitStart = Date.now();
    try {
      for (const task of planned) {
        const due = submitStart + (task.index * options.durationMs) / Math.max(1, options.tasks);
        if (due > Date.now()) await pause(due - Date.now());
        while (inFlight >= options.submitConcurrency) await pause(10);
        inFlight += 1;
        const submission = submitOne(task).finally(() => (inFlight -= 1));
        submission.catch(() => undefined); // awaited below, all together
        submissions.push(submission);
      }
      await Promise.all(submissions);
      const submitEnd = Date.now();
      submitMs = submitEnd - submitStart;
      await chaos;
      await Promise.all(restarts);
      log(`${stamp()} submissions and chaos done; ${apis.filter((a) => a.url).length} APIs and 2 workers up`);

      // Drain: every task final, within the deadline ------------------------------------------------------
      // The drain counts from the last submission; its deadline from when the chaos is over, too.
      const drainDeadline = Date.now() + options.drainTimeoutMs;
      for (;;) {
        const { rows } = await pg.query<{ open: number }>(
          `SELECT count(*)::int AS open FROM tasks WHERE status NOT IN ('succeeded', 'failed', 'cancelled')`,
        );
        if (rows[0].open === 0 || Date.now() > drainDeadline) break;
        await pause(250);
      }
      drainMs = Date.now() - submitEnd;
    } finally {
      clearInterval(progress);
    }

    // Checks -------------------------------------------------------------------------------------------------
    const submitted = planned.filter((t) => t.id);
    for (const t of planned.filter((p) => !p.id))
      violations.push(`task ${t.key} was never accepted by the API (${t.unsubmitted})`);

    // No task the client did not ask for: one row per Idempotency-Key, and the id the client was given.
    const { rows: dbTasks } = await pg.query<{
      id: string;
      key: string | null;
      status: string;
      attempts: number;
      started_at: Date | null;
      updated_at: Date;
    }>(`SELECT id, idempotency_key AS key, status, attempts, started_at, updated_at FROM tasks`);
    const byKey = new Map(planned.map((t) => [t.key, t]));
    if (dbTasks.length !== submitted.length)
      violations.push(`Postgres holds ${dbTasks.length} tasks for ${submitted.length} accepted submissions`);
    for (const row of dbTasks) {
      const mine = row.key ? byKey.get(row.key) : undefined;
      if (!mine) violations.push(`task ${row.id} (key ${row.key}) was created but never submitted as such`);
      else if (mine.id !== row.id) violations.push(`key ${row.key}: the client got ${mine.id}, Postgres has ${row.id}`);
    }

    // Each task as the API shows it, and its attempts.
    const views = new Map<string, { status: string; output: unknown; error: unknown; attempts: number }>();
    const attemptsOf = new Map<string, { attempt: number; status: string; workerId: string }[]>();
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (cursor < submitted.length) {
          const task = submitted[cursor++];
          const view = await callWithRetry(`read ${task.id}`, 'GET', `/api/v1/tasks/${task.id}`, token);
          if (view) views.set(task.id!, data(view));
          const attempts = await callWithRetry(
            `attempts ${task.id}`,
            'GET',
            `/api/v1/tasks/${task.id}/attempts`,
            token,
          );
          if (attempts) attemptsOf.set(task.id!, data(attempts));
        }
      }),
    );
    const lostTasks: Planned[] = [];
    for (const task of submitted) {
      const view = views.get(task.id!);
      if (!view) continue;
      statuses[view.status] = (statuses[view.status] ?? 0) + 1;
      if (view.status !== 'succeeded') {
        lostTasks.push(task);
        continue;
      }
      if (canonical(view.output) !== canonical(task.expected)) {
        wrong += 1;
        violations.push(
          `wrong output: task ${task.id} ${JSON.stringify(task.input)} → ${JSON.stringify(view.output)}, expected ${JSON.stringify(task.expected)}`,
        );
      }
      const successes = (attemptsOf.get(task.id!) ?? []).filter((a) => a.status === 'succeeded').length;
      if (successes !== 1) {
        duplicates += successes > 1 ? 1 : 0;
        violations.push(
          `task ${task.id}: ${successes} succeeded attempts on the attempts endpoint ${JSON.stringify(attemptsOf.get(task.id!))}`,
        );
      }
    }
    const { rows: twice } = await pg.query<{ task_id: string; n: number }>(
      `SELECT task_id, count(*)::int AS n FROM task_attempts WHERE status = 'succeeded' GROUP BY task_id HAVING count(*) > 1`,
    );
    for (const row of twice) violations.push(`task ${row.task_id}: ${row.n} succeeded rows in task_attempts`);
    duplicates = Math.max(duplicates, twice.length);

    // Lost tasks, with what Postgres and Redis say about each.
    const lost = lostTasks.length;
    if (lost) {
      const killedPids = new Map(kills.filter((k) => k.what === 'worker').map((k) => [String(k.pid), k]));
      const probe = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
      probe.on('error', () => undefined);
      const byStatus: Record<string, string[]> = {};
      for (const task of lostTasks) (byStatus[views.get(task.id!)!.status] ??= []).push(task.id!);
      violations.push(
        `${lost} task(s) not succeeded within ${options.drainTimeoutMs / 1000} s of the end: ` +
          Object.entries(byStatus)
            .map(([s, ids]) => `${ids.length} ${s}`)
            .join(', '),
      );
      for (const task of lostTasks.slice(0, 25)) {
        const view = views.get(task.id!)!;
        const row = dbTasks.find((r) => r.id === task.id);
        const attempts = attemptsOf.get(task.id!) ?? [];
        const last = attempts.at(-1);
        const killed = last ? killedPids.get(last.workerId.split(':').pop() ?? '') : undefined;
        const jobKey = `${prefix}:bull:tasks:${task.id}`;
        const inRedis = await probe.exists(jobKey).catch(() => -1);
        violations.push(
          `  ${task.id} (${task.slow ? 'slow' : 'calculator'}): ${view.status}, attempt ${view.attempts}, ` +
            `started ${row?.started_at ? `${((row.started_at.getTime() - chaosStart) / 1000).toFixed(1)} s` : '-'}, ` +
            `last change ${row ? `${((row.updated_at.getTime() - chaosStart) / 1000).toFixed(1)} s` : '-'} into the chaos; ` +
            `last attempt ${last ? `${last.status} on ${last.workerId}` : 'none'}` +
            `${killed ? ` (SIGKILLed at ${(killed.atMs / 1000).toFixed(1)} s)` : ''}; ` +
            `job in Redis: ${inRedis === 1 ? 'yes' : inRedis === 0 ? 'no' : 'unknown'}; ` +
            `error ${JSON.stringify(view.error)}`,
        );
      }
      if (lostTasks.length > 25) violations.push(`  … and ${lostTasks.length - 25} more`);
      violations.push(`  Redis was wiped ${wipeAtMs === undefined ? 'never' : `at ${(wipeAtMs / 1000).toFixed(1)} s`}`);
      probe.disconnect();
    }

    // Responses the client must never see.
    for (const line of unexpected) violations.push(`unexpected response: ${line}`);
    for (const line of unexpected.slice(0, 10)) {
      const requestId = /request id (\S+)\)/.exec(line)?.[1];
      if (!requestId || requestId === 'null') continue;
      for (const proc of [...apis.map((a) => a.proc)]) {
        const hit = proc
          ?.text()
          .split('\n')
          .find((l) => l.includes(requestId));
        if (hit) violations.push(`  log of ${proc!.name}: ${hit.slice(0, 600)}`);
      }
    }

    // The audit chain, and one creation entry per task.
    const verify = await callWithRetry('audit verify', 'GET', '/api/v1/audit-logs/verify', adminToken);
    const verification = data<{ valid: boolean; checked: number; firstBrokenId?: string }>(verify);
    const auditValid = verification?.valid;
    const auditChecked = verification?.checked ?? 0;
    if (!auditValid) violations.push(`audit chain: ${JSON.stringify(verification)}`);
    const { rows: created } = await pg.query<{ id: string; n: number }>(
      `SELECT resource_id AS id, count(*)::int AS n FROM (
         SELECT resource_id FROM audit_logs WHERE action = 'task.create'
         UNION ALL SELECT resource_id FROM audit_pending WHERE action = 'task.create') e
       GROUP BY resource_id`,
    );
    const createdCount = new Map(created.map((r) => [r.id, r.n]));
    for (const task of submitted) {
      const n = createdCount.get(task.id!) ?? 0;
      if (n !== 1) violations.push(`task ${task.id}: ${n} task.create audit entries`);
    }

    const remoteTwice = [...remoteCalls.values()].filter((n) => n > 1).length;
    const reconciler = { requeued: 0, takenOver: 0 };
    for (const proc of spawned.filter((p) => p.name.startsWith('worker'))) {
      for (const m of proc.text().matchAll(/queued (\d+) task\(s\) again/g)) reconciler.requeued += Number(m[1]);
      for (const m of proc.text().matchAll(/took over (\d+) running task/g)) reconciler.takenOver += Number(m[1]);
    }
    const durationMs = elapsed();
    const report: SoakReport = {
      seed: options.seed,
      tasks: { planned: planned.length, submitted: submitted.length, slow: planned.filter((t) => t.slow).length },
      statuses,
      lost,
      wrong,
      duplicates,
      client,
      kills: {
        worker: kills.filter((k) => k.what === 'worker').length,
        api: kills.filter((k) => k.what === 'api').length,
        redis: kills.filter((k) => k.what === 'redis').length,
        skippedTicks,
      },
      remoteExecutions: { calls: remoteCallCount, tasksRunTwiceOrMore: remoteTwice },
      reconciler,
      auditValid,
      auditChecked,
      durationMs,
      submitMs,
      drainMs,
      tasksPerSecond: Math.round((submitted.length / ((submitMs + drainMs) / 1000)) * 10) / 10,
      violations,
      logDir: options.logDir,
    };
    failed = violations.length > 0;
    printSummary(report, log);
    return report;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Everything this run started goes, whatever happened.
    killAll();
    await Promise.race([Promise.all([...live].map((c) => once(c, 'exit'))), sleep(5000, undefined, { ref: false })]);
    process.off('exit', killAll);
    remote.closeAllConnections();
    await new Promise<void>((resolve) => remote.close(() => resolve()));
    await pg?.end().catch(() => undefined);
    const server = new Client({ connectionString: `${options.pgServer}/postgres` });
    try {
      await server.connect();
      await server.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } catch (err) {
      log(`soak: could not drop database ${database}: ${(err as Error).message}`);
    } finally {
      await server.end().catch(() => undefined);
    }
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
    tellReaper('done');
    reaper.stdin!.end();
    if (!failed && !options.keepLogs) rmSync(options.logDir, { recursive: true, force: true });
  }
}

function printSummary(report: SoakReport, log: (line: string) => void): void {
  const c = report.client;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  log('');
  log('soak summary');
  log(`  seed                 ${report.seed}`);
  log(
    `  tasks                ${report.tasks.submitted}/${report.tasks.planned} accepted (${report.tasks.slow} slow); ` +
      Object.entries(report.statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  log(
    `  kills                ${report.kills.worker} workers, ${report.kills.api} API, ${report.kills.redis} Redis wipe(s) (SIGKILL); ` +
      `${report.kills.skippedTicks} worker tick(s) skipped while a worker was starting`,
  );
  log(
    `  client               ${c.requests} requests; 503 ${c.status503}, 504 ${c.status504}, 409 ${c.conflict409}, ` +
      `429 ${c.rateLimited429}, connection errors ${c.connectionErrors}, timeouts ${c.clientTimeouts}, ` +
      `retries ${c.retries}, replayed (200) ${c.replayed200}, other 5xx ${c.unexpected5xx}, other 4xx ${c.unexpected4xx}`,
  );
  log(`  lost                 ${report.lost}`);
  log(`  wrong outputs        ${report.wrong}`);
  log(`  recorded twice       ${report.duplicates}`);
  log(
    `  remote executions    ${report.remoteExecutions.calls} calls; ${report.remoteExecutions.tasksRunTwiceOrMore} slow tasks ran more than once (at-least-once execution)`,
  );
  log(
    `  reconcilers          queued ${report.reconciler.requeued} task(s) again, took over ${report.reconciler.takenOver} running task(s) (from the workers' logs)`,
  );
  log(`  audit chain          ${report.auditValid ? 'valid' : 'NOT VALID'} (${report.auditChecked} entries)`);
  log(
    `  time                 ${s(report.durationMs)} in all; submissions ${s(report.submitMs)}, drain (last submission → all final) ${s(report.drainMs)}; ${report.tasksPerSecond} tasks/s`,
  );
  if (report.violations.length) {
    log(`  VIOLATIONS (${report.violations.length}); process logs kept in ${report.logDir}`);
    for (const v of report.violations) log(`  ${v}`);
  } else {
    log('  no violations');
  }
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    process.stderr.write(`soak: ${sig}, stopping and cleaning up\n`);
    controller.abort();
    if (signals > 1) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const options = soakOptionsFromEnv(process.env, { signal: controller.signal });
  // A bound on the whole run, whatever happens.
  const limit = setTimeout(
    () => {
      process.stderr.write('soak: over its time limit, stopping\n');
      controller.abort();
    },
    options.durationMs + options.drainTimeoutMs + 10 * 60_000,
  );
  limit.unref();
  try {
    const report = await runSoak(options);
    process.stdout.write(`soak: ${report.violations.length === 0 ? 'passed' : 'FAILED'}\n`);
    process.exitCode = report.violations.length === 0 && !controller.signal.aborted ? 0 : 1;
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = controller.signal.aborted ? 130 : 1;
  }
}

if (require.main === module) void main();
