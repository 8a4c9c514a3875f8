/* global performance, URL */
/**
 * bench:console's live list: with /tasks open, calculator tasks are submitted at the events' rate while a
 * Socket.IO client of the bench's own counts what the server sends and the page's frames are watched.
 */
const { setTimeout: sleep } = require('node:timers/promises');
const { io } = require('socket.io-client');
const { apiClient } = require('./api');
const { shownRows, signedInContext, startFrameWatch, stopFrameWatch } = require('./page');
const { cpuSeconds } = require('./server');
const { BURST_S, EVENTS_PER_S, EVENTS_PER_TASK, PAGE_SIZE, TASK_ROWS, median } = require('./settings');

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

module.exports = { eventCounter, waitUntil, liveList };
