/**
 * bench:console's settings (the BENCH_CONSOLE_* variables and the services it uses), targets and names of its
 * own (database, Redis prefix, admin), and the small helpers its output is written with.
 */
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const PG_SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TASKS = Number(process.env.BENCH_CONSOLE_TASKS ?? 100_000);
const AGENTS = Number(process.env.BENCH_CONSOLE_AGENTS ?? 10);
const LOAD_RUNS = Number(process.env.BENCH_CONSOLE_LOAD_RUNS ?? 7);
const EVENTS_PER_S = Number(process.env.BENCH_CONSOLE_EVENTS_PER_S ?? 200);
const BURST_S = Number(process.env.BENCH_CONSOLE_BURST_S ?? 10);
/** queued, running, succeeded: what one calculator task publishes. Checked against what arrives. */
const EVENTS_PER_TASK = 3;
const PAGE_SIZE = 20;
/** BENCH_CONSOLE_VERBOSE=1 prints every cold load's requests (start, first byte and end, ms from navigation). */
const VERBOSE = process.env.BENCH_CONSOLE_VERBOSE === '1';

const TARGET = { loadMs: 1000, frameGapMs: 200, catchUpMs: 2000, rateShare: 0.9 };

const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const DB = `ymera_bench_console_${id}`;
const PREFIX = `ymera-bench-console-${id}`;
const ADMIN = { email: 'admin@bench-console.local', password: 'bench-console-admin-password' };
const TASK_ROWS = 'table[aria-label="Tasks"] tbody tr';

const say = (line) => process.stdout.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;

module.exports = {
  ROOT,
  PG_SERVER,
  REDIS_URL,
  CHROMIUM,
  TASKS,
  AGENTS,
  LOAD_RUNS,
  EVENTS_PER_S,
  BURST_S,
  EVENTS_PER_TASK,
  PAGE_SIZE,
  VERBOSE,
  TARGET,
  DB,
  PREFIX,
  ADMIN,
  TASK_ROWS,
  say,
  median,
  ms,
};
