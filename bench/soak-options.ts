import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
