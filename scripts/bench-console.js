#!/usr/bin/env node
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
 *
 * This file runs the bench and prints its figures; the parts are in bench-console/: settings.js (the
 * BENCH_CONSOLE_* settings, targets and output helpers), server.js (the server, its database and Redis keys,
 * CPU time), api.js (API client, sign-in, seed), page.js (the browser context, cold load and what runs in the
 * page) and live-list.js (the live list and the bench's own Socket.IO client).
 */
const { existsSync } = require('node:fs');
const { cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { chromium } = require('playwright');
const { apiClient, login, seed } = require('./bench-console/api');
const { liveList } = require('./bench-console/live-list');
const { coldLoad } = require('./bench-console/page');
const {
  dropDatabase,
  dropRedisKeys,
  loadAverage,
  startServer,
  stopServer,
  waitForOutput,
} = require('./bench-console/server');
const {
  AGENTS,
  BURST_S,
  CHROMIUM,
  DB,
  EVENTS_PER_S,
  LOAD_RUNS,
  PREFIX,
  ROOT,
  TARGET,
  TASKS,
  VERBOSE,
  median,
  ms,
  say,
} = require('./bench-console/settings');

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
  if (
    !existsSync(join(ROOT, 'dist', 'web', 'index.html')) ||
    !existsSync(join(ROOT, 'dist', 'src', 'app', 'main.js'))
  ) {
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
