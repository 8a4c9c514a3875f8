/* global window, document, performance, requestAnimationFrame, PerformanceObserver, MutationObserver, setTimeout, URL */
/**
 * bench:console in the browser: a signed-in context, the cold load of /tasks, and the functions that run in the
 * page (passed to Playwright as source, so they use nothing of this module's scope): the first row's marks, the
 * rows shown, and the watch of animation frames and long tasks.
 */
const { setTimeout: sleep } = require('node:timers/promises');
const { ADMIN, TASK_ROWS } = require('./settings');

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

module.exports = { signedInContext, watchFirstRow, coldLoad, shownRows, startFrameWatch, stopFrameWatch };
