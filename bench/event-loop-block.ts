import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { BENCH_ADMIN, benchServerEnv, PG_SERVER, REDIS_URL } from './server-env';
import Redis from 'ioredis';

/**
 * `npm run bench:block`: the longest stretch of synchronous work (event-loop block) in the API process while
 * it handles one large request. Starts the built API as in production (APP_ROLE=api, NODE_ENV=production, a
 * database and Redis prefix of its own) with `event-loop-probe` preloaded, then for each case sends one
 * request at a time and reads the probe's event-loop delay histogram (1 ms resolution) over the request and
 * BLOCK_SETTLE_MS after it (work a request leaves behind counts too). Each case reports the longest block of
 * every request (min / median / max: other processes taking the CPU only add to it, so the minimum is the
 * floor of the request's own work) and compares the median with a baseline taken in the same process right
 * after each request: `JSON.parse` of the same body, timed. This machine is shared, and its speed moves by
 * tens of percent within minutes; the ratio compares across runs, the milliseconds only within one. The load
 * average is printed with every case, and the idle API's own blocks (no request) first.
 *
 * BLOCK_REPS (5) measured requests per case, after one that is not counted; BLOCK_CASES (all) a subset by
 * name; BLOCK_SETTLE_MS (250). The API runs with the configured defaults for the task body limits unless
 * TASK_BODY_LIMIT / TASK_BATCH_BODY_LIMIT are set; a case over the limit is reported as refused (413).
 * BENCH_NODE_FLAGS: Node flags for the API process (`--cpu-prof --cpu-prof-dir=bench/profiles`).
 */
const ROOT = join(__dirname, '..', '..');
const REPS = Number(process.env.BLOCK_REPS ?? 5);
const SETTLE_MS = Number(process.env.BLOCK_SETTLE_MS ?? 250);
/** Node flags for the API process, e.g. `--cpu-prof --cpu-prof-dir=bench/profiles`. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const ONLY = process.env.BLOCK_CASES?.split(',').map((s) => s.trim());
const id = Date.now().toString(36);
const DB = `ymera_block_${id}`;
const PREFIX = `block-${id}`;
const ADMIN = BENCH_ADMIN;
const KB = 1024;

interface Window {
  maxMs: number;
  p99Ms: number;
  samples: number;
}
type Reply = { cmd: 'reset' } | ({ cmd: 'read' } & Window) | ({ cmd: 'parse'; tookMs: number } & Window);

/** Records of about `bytes` of JSON in all, like a data-processor input. */
function recordsOfSize(bytes: number): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const r = { id: i, name: `record ${i}`, tags: ['a', 'b', 'c'], value: i * 1.5, nested: { ok: true, n: i } };
    size += JSON.stringify(r).length + 1;
    records.push(r);
  }
  return records;
}

interface Case {
  name: string;
  path: string;
  body: string;
}

function cases(processor: string, calculator: string): Case[] {
  // The body of a single submission of `bytes` in all, input included.
  const single = (bytes: number): string => {
    const overhead = JSON.stringify({ agentId: processor, input: { records: [] } }).length;
    return JSON.stringify({ agentId: processor, input: { records: recordsOfSize(bytes - overhead - 256) } });
  };
  const batch = (count: number, perTask: number): string => {
    const input = { records: recordsOfSize(perTask - 100) };
    return JSON.stringify({ tasks: Array.from({ length: count }, () => ({ agentId: processor, input })) });
  };
  const small = JSON.stringify({
    tasks: Array.from({ length: 1000 }, (_, i) => ({ agentId: calculator, input: { expression: `${i} + 1` } })),
  });
  const all: Case[] = [
    { name: 'single-1mb', path: '/api/v1/tasks', body: single(1024 * KB) },
    { name: 'single-512kb', path: '/api/v1/tasks', body: single(512 * KB) },
    { name: 'single-256kb', path: '/api/v1/tasks', body: single(256 * KB) },
    { name: 'batch-100x1.9kb', path: '/api/v1/tasks/batch', body: batch(100, 1900) },
    { name: 'batch-1000-calculator', path: '/api/v1/tasks/batch', body: small },
    { name: 'batch-1000x0.95kb', path: '/api/v1/tasks/batch', body: batch(1000, 950) },
    { name: 'batch-1000x1.9kb', path: '/api/v1/tasks/batch', body: batch(1000, 1900) },
  ];
  return ONLY ? all.filter((c) => ONLY.includes(c.name)) : all;
}

class Probe {
  private waiting?: (reply: Reply) => void;
  constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => this.waiting?.(reply));
  }
  ask(message: object): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.send(message);
    });
  }
}

async function post(base: string, path: string, token: string | undefined, body: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

async function data<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const env: Record<string, string | undefined> = {
    ...benchServerEnv(DB, PREFIX),
    TASK_BODY_LIMIT: process.env.TASK_BODY_LIMIT,
    TASK_BATCH_BODY_LIMIT: process.env.TASK_BATCH_BODY_LIMIT,
  };
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, '--require', join(ROOT, 'dist/bench/event-loop-probe.js'), join(ROOT, 'dist/src/app/main.js')],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await pg.connect();
  try {
    const deadline = Date.now() + 120_000;
    let url: string | undefined;
    while (!url) {
      url = /listening on (http:\/\/[\d.:]+)\/api\/v1/.exec(output)?.[1];
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not start:\n${output}`);
      await sleep(100);
    }
    const probe = new Probe(child);
    const { accessToken } = await data<{ accessToken: string }>(
      await post(url, '/api/v1/auth/login', undefined, JSON.stringify(ADMIN)),
    );
    const agent = async (body: object) =>
      (await data<{ id: string }>(await post(url, '/api/v1/agents', accessToken, JSON.stringify(body)))).id;
    const processor = await agent({ name: 'block-processor', type: 'data-processor', config: { pipeline: [] } });
    const calculator = await agent({ name: 'block-calculator', type: 'calculator', concurrency: 1000 });

    process.stdout.write(
      `machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; ` +
        `load average at start ${load()}\n`,
    );
    const idle: number[] = [];
    for (let i = 0; i < REPS; i++) {
      await probe.ask({ cmd: 'reset' });
      await sleep(SETTLE_MS);
      idle.push(((await probe.ask({ cmd: 'read' })) as Window).maxMs);
    }
    process.stdout.write(`idle API, ${SETTLE_MS} ms windows: max block ${idle.join(' / ')} ms\n`);
    const results: Record<string, unknown>[] = [];
    for (const c of cases(processor, calculator)) {
      const blocks: number[] = [];
      const p99s: number[] = [];
      const parses: number[] = [];
      let status = 0;
      let tookMs = 0;
      for (let rep = 0; rep <= REPS; rep++) {
        await probe.ask({ cmd: 'reset' });
        const started = performance.now();
        const res = await post(url, c.path, accessToken, c.body);
        tookMs = performance.now() - started;
        status = res.status;
        await res.arrayBuffer();
        await sleep(SETTLE_MS);
        const window = (await probe.ask({ cmd: 'read' })) as Window;
        const parse = (await probe.ask({ cmd: 'parse', text: c.body })) as Window & { tookMs: number };
        if (rep === 0) continue; // the first request of a case warms it up
        blocks.push(window.maxMs);
        p99s.push(window.p99Ms);
        parses.push(parse.tookMs);
      }
      const line = {
        case: c.name,
        bytes: c.body.length,
        status,
        lastRequestMs: Math.round(tookMs),
        maxBlockMs: blocks,
        minMaxMs: Math.min(...blocks),
        medianMaxMs: median(blocks),
        maxMaxMs: Math.max(...blocks),
        p99DelayMs: median(p99s),
        jsonParseMs: median(parses),
        ratio: Math.round((median(blocks) / Math.max(median(parses), 0.1)) * 10) / 10,
        load: load(),
      };
      results.push(line);
      process.stdout.write(
        `${c.name} (${(c.body.length / KB).toFixed(0)} KB) → ${status}, ${line.lastRequestMs} ms: ` +
          `max block min ${line.minMaxMs} / median ${line.medianMaxMs} / max ${line.maxMaxMs} ms ` +
          `(${blocks.join(', ')}; p99 delay ${line.p99DelayMs}); JSON.parse of the body ${line.jsonParseMs} ms, ` +
          `median block ×${line.ratio} of it; load ${line.load}\n`,
      );
    }
    process.stdout.write(`load average at end ${load()}\n`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    const file = join(ROOT, 'bench/results', `block-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ node: process.version, cores: cpus().length, idle, results }, null, 2));
    process.stdout.write(`results: ${file}\n`);
  } catch (err) {
    process.stderr.write(`${output.slice(-3000)}\n`);
    throw err;
  } finally {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    await pg.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`).catch(() => undefined);
    await pg.end();
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
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
