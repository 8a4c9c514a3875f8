#!/usr/bin/env node
/* global window, document, performance, requestAnimationFrame, PerformanceObserver, MutationObserver, setTimeout, clearTimeout, fetch, URL */
/**
 * `npm run bench:console` (after `npm run build`, which the npm script runs first): the console's Tasks page
 * against a database of 100,000 tasks, in Debian's Chromium driven by Playwright.
 *
 * 1. Cold load: a new browser context (empty cache, a fresh sign-in cookie) opens /tasks; measured in the
 *    page from the navigation's start until the first task row is in the DOM and a frame has been painted
 *    after it. Median of BENCH_CONSOLE_LOAD_RUNS runs. Target ≤ 1000 ms.
 * 2. Live list: with /tasks open, calculator tasks are submitted through the API for BENCH_CONSOLE_BURST_S
 *    seconds at the rate that makes BENCH_CONSOLE_EVENTS_PER_S `task.updated` events (queued, running,
 *    succeeded: three per task), which reach the page from the worker through Redis and Socket.IO like any
 *    other. Measured in the page: the longest gap between animation frames, the longest long task, frames per
 *    second; and how long after the last event the list shows the newest tasks in their final states.
 *    Targets: no frame gap over 200 ms, caught up within 2000 ms, and the event rate reached (≥ 90 %, counted
 *    by a Socket.IO client of the bench's own while the tasks are being submitted).
 *
 * Starts the built server (`node dist/src/app/main.js`, NODE_ENV=production) with a database
 * (`ymera_bench_console_<id>`) and a Redis prefix of its own, both removed at the end. Prints a table and exits
 * non-zero when a target is missed.
 */
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { cpus, loadavg, totalmem } = require('node:os');
const { join } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const Redis = require('ioredis');
const { Client } = require('pg');
const { chromium } = require('playwright');
const { io } = require('socket.io-client');

const ROOT = join(__dirname, '..');
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
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const say = (line) => process.stdout.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;

// ---------------------------------------------------------------------------------------------- server

function startServer() {
  const child = spawn(process.execPath, ['dist/src/app/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${PG_SERVER}/${DB}`,
      REDIS_URL,
      REDIS_PREFIX: PREFIX,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MIN: '100000000',
      RATE_LIMIT_LOGIN_PER_MIN: '100000',
      RATE_LIMIT_LIVE_PER_MIN: '100000000',
    },
  });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk.toString()));
  child.stderr.on('data', (chunk) => (text += chunk.toString()));
  return { child, output: () => text };
}

async function waitForOutput(server, pattern, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(server.output());
    if (match) return match;
    if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${server.output().slice(-3000)}`);
    await sleep(100);
  }
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function dropDatabase() {
  const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

async function dropRedisKeys() {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** CPU time (user + system, seconds) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

// ------------------------------------------------------------------------------------------------- API

function apiClient(base, token) {
  const call = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}

async function login(base) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return (await res.json()).data.accessToken;
}

/** Agents through the API; TASKS final tasks (and their one attempt) spread over 30 days, in SQL. */
async function seed(api) {
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const name = `bench-console-${String(i).padStart(2, '0')}`;
    agents.push((await api.post('/api/v1/agents', { name, type: 'calculator', config: {} })).data.id);
  }
  const db = new Client({ connectionString: `${PG_SERVER}/${DB}` });
  await db.connect();
  try {
    const started = performance.now();
    const [{ id: adminId }] = (await db.query('SELECT id FROM users WHERE email = $1', [ADMIN.email])).rows;
    await db.query(
      `INSERT INTO tasks (agent_id, status, input, output, error, attempts, max_attempts, priority, backoff_ms,
                          created_by, created_at, updated_at, started_at, finished_at)
       SELECT ($1::uuid[])[1 + i % cardinality($1::uuid[])], s.status, '{"expression": "1 + 1"}'::jsonb,
              CASE WHEN s.status = 'succeeded' THEN '{"result": 2}'::jsonb END,
              CASE WHEN s.status = 'failed' THEN '{"code": "DIVISION_BY_ZERO", "message": "Division by zero"}'::jsonb END,
              1, 3, 5, 1000, $2, t.created_at, t.created_at,
              t.created_at + interval '20 milliseconds',
              t.created_at + (20 + i % 500) * interval '1 millisecond'
       FROM generate_series(1, $3::int) AS i
       -- Older than a minute: the tasks of the live part are the newest.
       CROSS JOIN LATERAL (SELECT now() - interval '1 minute' - (i / $3::float) * interval '30 days' AS created_at) AS t
       CROSS JOIN LATERAL (SELECT CASE WHEN i % 20 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'cancelled'
                                       ELSE 'succeeded' END AS status) AS s`,
      [agents, adminId, TASKS],
    );
    await db.query(
      `INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at, error, worker_id)
       SELECT id, 1, status, started_at, finished_at, error, 'bench-console-seed' FROM tasks`,
    );
    await db.query('ANALYZE tasks');
    await db.query('ANALYZE task_attempts');
    return { agents, seedMs: performance.now() - started };
  } finally {
    await db.end();
  }
}

// --------------------------------------------------------------------------------------------- browser

/** A browser context signed in as the admin (the refresh cookie only), with an empty cache. */
async function signedInContext(browser, base) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  const res = await context.request.post('/api/v1/auth/login', {
    data: { ...ADMIN, useCookie: true },
    headers: { 'X-Requested-With': 'ymera' },
  });
  if (!res.ok()) throw new Error(`login in the browser context: ${res.status()} ${await res.text()}`);
  if (!(await context.cookies()).some((c) => c.name === 'ymera_refresh'))
    throw new Error('the browser context did not keep the refresh cookie');
  return context;
}

/** Runs in the page before its own scripts: notes when the first task row is in the DOM, then painted. */
function watchFirstRow(selector) {
  const marks = {};
  // Awaited by the bench: no polling in the page while it loads.
  window.__benchFirstRow = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (marks.inDom !== undefined || !document.querySelector(selector)) return;
      marks.inDom = performance.now();
      observer.disconnect();
      // The frame that shows it: the next animation frame, and the task right after its paint.
      requestAnimationFrame(() =>
        setTimeout(() => {
          marks.painted = performance.now();
          resolve(marks);
        }, 0),
      );
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

async function coldLoad(browser, base) {
  const context = await signedInContext(browser, base);
  try {
    await context.addInitScript(watchFirstRow, TASK_ROWS);
    const page = await context.newPage();
    await page.goto('/tasks', { waitUntil: 'commit' });
    const shown = await Promise.race([page.evaluate(() => window.__benchFirstRow), sleep(30_000)]);
    if (!shown) throw new Error('no task row within 30 s');
    return await page.evaluate(async () => {
      const marks = await window.__benchFirstRow;
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource');
      const entry = (test) => resources.find((r) => test(new URL(r.name)));
      const end = (test) => entry(test)?.responseEnd ?? null;
      const list = entry((u) => u.pathname === '/api/v1/tasks');
      return {
        painted: marks.painted,
        inDom: marks.inDom,
        html: nav.responseEnd,
        refresh: end((u) => u.pathname === '/api/v1/auth/refresh'),
        list: list?.responseEnd ?? null,
        listWait: list ? list.responseStart - list.requestStart : null,
        rows: document.querySelectorAll('table[aria-label="Tasks"] tbody tr').length,
        waterfall: [nav, ...resources].map((r) => ({
          name: new URL(r.name).pathname + new URL(r.name).search,
          start: r.startTime,
          requestStart: r.requestStart,
          responseStart: r.responseStart,
          end: r.responseEnd,
        })),
      };
    });
  } finally {
    await context.close();
  }
}

/** The rows the page shows: "<task id> <status>". */
function shownRows() {
  return [...document.querySelectorAll('table[aria-label="Tasks"] tbody tr')].map((tr) => {
    const link = tr.querySelector('a[aria-label^="Task "]');
    return `${link ? link.getAttribute('aria-label').slice('Task '.length) : '?'} ${tr.cells[1]?.textContent.trim()}`;
  });
}

/** Starts recording animation frames and long tasks in the page. */
function startFrameWatch() {
  const watch = { frames: [], longTasks: [], animationFrames: [], stopped: false };
  window.__benchFrames = watch;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) watch.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) watch.animationFrames.push(e.duration);
    }).observe({ type: 'long-animation-frame' });
  }
  const tick = (time) => {
    watch.frames.push(time);
    if (!watch.stopped) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopFrameWatch() {
  const watch = window.__benchFrames;
  watch.stopped = true;
  const { frames } = watch;
  let maxGap = 0;
  for (let i = 1; i < frames.length; i++) maxGap = Math.max(maxGap, frames[i] - frames[i - 1]);
  const seconds = (frames.at(-1) - frames[0]) / 1000;
  return {
    maxGap,
    fps: (frames.length - 1) / seconds,
    seconds,
    longestTask: Math.max(0, ...watch.longTasks),
    longTasks: watch.longTasks.length,
    longestAnimationFrame: Math.max(0, ...watch.animationFrames),
  };
}

/** A Socket.IO client of its own, following every bench agent: what the server sends, and when. */
async function eventCounter(base, token, agents) {
  const socket = io(`${base}/events`, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  for (const agentId of agents) {
    const reply = await socket.emitWithAck('subscribe', { agentId });
    if (!reply.ok) throw new Error(`subscribe: ${JSON.stringify(reply)}`);
  }
  const counter = { socket, events: 0, final: new Set(), firstAt: 0, lastAt: 0 };
  socket.on('task.updated', (event) => {
    counter.events++;
    counter.firstAt ||= performance.now();
    counter.lastAt = performance.now();
    if (['succeeded', 'failed', 'cancelled'].includes(event.status)) counter.final.add(event.taskId);
  });
  return counter;
}

async function waitUntil(check, timeoutMs, intervalMs = 50) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) return null;
    await sleep(intervalMs);
  }
}

async function liveList(browser, base, token, agents, serverPid) {
  const api = apiClient(base, token);
  const context = await signedInContext(browser, base);
  const page = await context.newPage();
  const listRequests = { sent: 0, failed: 0 };
  page.on('request', (req) => {
    if (req.method() === 'GET' && new URL(req.url()).pathname === '/api/v1/tasks') listRequests.sent++;
  });
  page.on('requestfailed', (req) => {
    if (new URL(req.url()).pathname === '/api/v1/tasks') listRequests.failed++;
  });
  const counter = await eventCounter(base, token, agents);
  try {
    await page.goto('/tasks');
    await page.locator(TASK_ROWS).first().waitFor({ timeout: 30_000 });
    // The page follows live events before the burst starts: a task it shows succeeding proves it.
    const probe = (await api.post('/api/v1/tasks', { agentId: agents[0], input: { expression: '1 + 1' } })).data;
    const probeShown = await waitUntil(
      async () => (await page.evaluate(shownRows)).includes(`${probe.id} succeeded`),
      15_000,
    );
    if (!probeShown) throw new Error('the Tasks page did not show a new task succeeding (no live events?)');
    await sleep(500);

    const before = { events: counter.events, sent: listRequests.sent, failed: listRequests.failed };
    await page.evaluate(startFrameWatch);
    const tasksPerS = EVENTS_PER_S / EVENTS_PER_TASK;
    const total = Math.round(tasksPerS * BURST_S);
    const submitted = [];
    const pending = [];
    const latencies = [];
    const cpuBefore = cpuSeconds(serverPid);
    const start = performance.now();
    while (submitted.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * tasksPerS) + 1);
      while (submitted.length < due) {
        const agentId = agents[submitted.length % agents.length];
        const expression = `${submitted.length} + 1`;
        submitted.push(null);
        const index = submitted.length - 1;
        const sentAt = performance.now();
        pending.push(
          api.post('/api/v1/tasks', { agentId, input: { expression } }).then((res) => {
            latencies.push(performance.now() - sentAt);
            submitted[index] = res.data.id;
          }),
        );
      }
      await sleep(5);
    }
    const sendS = (performance.now() - start) / 1000;
    const eventsWhileSending = counter.events - before.events;
    await Promise.all(pending);
    const submitS = (performance.now() - start) / 1000;
    const allFinal = await waitUntil(async () => submitted.every((taskId) => counter.final.has(taskId)), 60_000);
    if (!allFinal) throw new Error('the submitted tasks did not all reach a final state within 60 s');
    const lastEventAt = counter.lastAt;
    const serverCpu = (cpuSeconds(serverPid) - cpuBefore) / ((performance.now() - start) / 1000);

    const expected = (await api.get(`/api/v1/tasks?skip=0&limit=${PAGE_SIZE}`)).data.map((t) => `${t.id} ${t.status}`);
    const caughtUpAt = await waitUntil(async () => {
      const shown = await page.evaluate(shownRows);
      return shown.length === expected.length && shown.every((row, i) => row === expected[i]) && performance.now();
    }, 15_000);
    const frames = await page.evaluate(stopFrameWatch);
    const events = counter.events - before.events;
    const eventSeconds = (lastEventAt - start) / 1000;
    return {
      tasks: total,
      sendS,
      submitS,
      events,
      eventsPerTask: events / total,
      eventRate: eventsWhileSending / sendS,
      eventSeconds,
      catchUpMs: caughtUpAt ? caughtUpAt - lastEventAt : null,
      frames,
      postP50: median(latencies),
      postMax: Math.max(...latencies),
      serverCpu,
      listRequests: listRequests.sent - before.sent,
      listRequestsFailed: listRequests.failed - before.failed,
    };
  } finally {
    counter.socket.close();
    await context.close();
  }
}

// ------------------------------------------------------------------------------------------------ main

function table(rows) {
  const header = ['measure', 'value', 'target', ''];
  const cells = rows.map((r) => [
    r.measure,
    r.value,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  say(line(header));
  say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) say(line(c));
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')) || !existsSync(join(ROOT, 'dist', 'src', 'main.js'))) {
    process.stderr.write('bench:console: no build; run `npm run build` first (npm run bench:console does)\n');
    return 1;
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(
      `bench:console: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`,
    );
    return 1;
  }
  say(
    `bench:console: ${cpus()[0]?.model ?? 'CPU'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GB; ` +
      `load average ${loadAverage()} (other work on the machine slows every figure)`,
  );
  const server = startServer();
  let browser;
  let stopping = false;
  const cleanUp = async () => {
    if (stopping) return;
    stopping = true;
    await browser?.close().catch(() => undefined);
    await stopServer(server);
    await dropDatabase().catch((err) => process.stderr.write(`drop database ${DB}: ${err.message}\n`));
    await dropRedisKeys().catch((err) => process.stderr.write(`drop Redis keys ${PREFIX}:*: ${err.message}\n`));
  };
  const interrupted = () => void cleanUp().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const [, consoleUrl] = await waitForOutput(server, /^Console: (http:\/\/\S+?)\/?$/m);
    const base = consoleUrl.replace(/\/$/, '');
    const token = await login(base);
    const { agents, seedMs } = await seed(apiClient(base, token));
    say(`seeded ${TASKS.toLocaleString('en')} tasks over ${AGENTS} agents in ${ms(seedMs)} (database ${DB})`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    say(`Chromium ${browser.version()}`);

    const loads = [];
    for (let i = 0; i < LOAD_RUNS; i++) {
      const run = await coldLoad(browser, base);
      loads.push(run);
      if (VERBOSE) {
        for (const r of run.waterfall)
          say(
            `      ${r.name.padEnd(60)} start ${ms(r.start)}, request ${ms(r.requestStart)}, first byte ${ms(r.responseStart)}, end ${ms(r.end)}`,
          );
      }
      say(
        `  cold load ${i + 1}: first row painted at ${ms(run.painted)} (HTML ${ms(run.html)}, refresh ${ms(run.refresh ?? NaN)}, ` +
          `list response ${ms(run.list ?? NaN)}, row in DOM ${ms(run.inDom)}; ${run.rows} rows)`,
      );
    }
    const loadMedian = median(loads.map((l) => l.painted));

    say(`live list: ${EVENTS_PER_S} events/s for ${BURST_S} s …`);
    const live = await liveList(browser, base, token, agents, server.child.pid);
    say(
      `  ${live.tasks} tasks sent in ${live.sendS.toFixed(1)} s (all answered after ${live.submitS.toFixed(1)} s); ` +
        `${live.events} events (${live.eventsPerTask.toFixed(2)} per task) ` +
        `over ${live.eventSeconds.toFixed(1)} s; the page sent ${live.listRequests} list requests (${live.listRequestsFailed} cancelled or failed)`,
    );
    say(
      `  POST /api/v1/tasks p50 ${ms(live.postP50)}, max ${ms(live.postMax)}; the server used ${Math.round(live.serverCpu * 100)} % of a core; load average ${loadAverage()}`,
    );

    const rows = [
      {
        measure: `cold load of /tasks, ${TASKS.toLocaleString('en')} tasks: first row painted (median of ${LOAD_RUNS})`,
        value: `${ms(loadMedian)} (min ${ms(Math.min(...loads.map((l) => l.painted)))}, max ${ms(Math.max(...loads.map((l) => l.painted))).replace(' ms', '')} ms)`,
        target: `≤ ${TARGET.loadMs} ms`,
        met: loadMedian <= TARGET.loadMs,
      },
      {
        measure: '  of which: session refresh answered / list answered (medians)',
        value: `${ms(median(loads.map((l) => l.refresh ?? NaN)))} / ${ms(median(loads.map((l) => l.list ?? NaN)))}`,
      },
      {
        measure: '  list request → first byte; list answered → first row painted (medians)',
        value: `${ms(median(loads.map((l) => l.listWait ?? NaN)))}; ${ms(median(loads.map((l) => l.painted - (l.list ?? NaN))))}`,
      },
      {
        measure: 'live list: task.updated events per second while submitting (Socket.IO)',
        value: `${Math.round(live.eventRate)}/s`,
        target: `≥ ${Math.round(EVENTS_PER_S * TARGET.rateShare)}/s`,
        met: live.eventRate >= EVENTS_PER_S * TARGET.rateShare,
      },
      {
        measure: 'live list: longest gap between frames',
        value: ms(live.frames.maxGap),
        target: `≤ ${TARGET.frameGapMs} ms`,
        met: live.frames.maxGap <= TARGET.frameGapMs,
      },
      {
        measure: 'live list: longest long task / long animation frame',
        value: `${ms(live.frames.longestTask)} (${live.frames.longTasks} long tasks) / ${ms(live.frames.longestAnimationFrame)}`,
      },
      {
        measure: 'live list: frames per second',
        value: live.frames.fps.toFixed(1),
      },
      {
        measure: 'live list: final states shown, after the last event',
        value: live.catchUpMs === null ? 'not within 15 s' : ms(live.catchUpMs),
        target: `≤ ${TARGET.catchUpMs} ms`,
        met: live.catchUpMs !== null && live.catchUpMs <= TARGET.catchUpMs,
      },
    ];
    say('');
    table(rows);
    const missed = rows.filter((r) => r.met === false).length;
    const met = rows.filter((r) => r.met === true).length;
    say(`bench:console: ${met} targets met, ${missed} missed`);
    return missed ? 1 : 0;
  } catch (err) {
    process.stderr.write(`bench:console: ${err.stack ?? err}\n${server.output().slice(-2000)}\n`);
    return 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);
