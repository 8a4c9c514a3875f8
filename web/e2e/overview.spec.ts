import { mkdirSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiToken, expectAccessible, signIn, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

interface Created {
  id: string;
}

interface Outcomes {
  succeeded: number;
  failed: number;
  cancelled: number;
  failureRate: number | null;
  byAgentType: { agentType: string; finished: number; p95Ms: number | null }[];
}

interface Stats {
  scope: 'all' | 'own';
  lastHour: Outcomes;
  lastDay: Outcomes;
  openCircuitBreakers: { agentId: string; state: string }[];
}

async function adminApi(request: APIRequestContext) {
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  const headers = { Authorization: `Bearer ${token}` };
  const call = async <T>(method: 'get' | 'post', path: string, data: unknown, status: number): Promise<T> => {
    const res = await request[method](path, { headers, data });
    expect(res.status(), await res.text()).toBe(status);
    return ((await res.json()) as { data: T }).data;
  };
  return {
    createAgent: (name: string, type: string, config: Record<string, unknown> = {}) =>
      call<Created>('post', '/api/v1/agents', { name, type, config }, 201),
    createTask: (agentId: string, input: unknown, options: Record<string, unknown> = {}) =>
      call<Created>('post', '/api/v1/tasks', { agentId, input, ...options }, 202),
    /** Waits until the task has finished, and gives its final status. */
    finished: async (id: string): Promise<string> => {
      let status = '';
      await expect
        .poll(
          async () => {
            status = (await call<{ status: string }>('get', `/api/v1/tasks/${id}`, undefined, 200)).status;
            return ['succeeded', 'failed', 'cancelled'].includes(status);
          },
          { timeout: 60_000 },
        )
        .toBe(true);
      return status;
    },
    stats: () => call<Stats>('get', '/api/v1/stats', undefined, 200),
  };
}

/** A percentage as the page shows it: at most one decimal. */
const percent = (rate: number) => `${new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(rate * 100)}%`;

test('the overview shows the figures, charts, durations and open breakers of the tasks that ran', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const csp = watchCsp(page);
  // A remote agent that always answers 503: five failed calls in a row open its circuit breaker.
  let calls = 0;
  const server: Server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    calls += 1;
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const admin = await adminApi(request);
    const stamp = Date.now();
    const calculator = await admin.createAgent(`overview-calc-${stamp}`, 'calculator');
    const remoteName = `overview-down-${stamp}`;
    const remote = await admin.createAgent(remoteName, 'http', { url: `http://127.0.0.1:${port}/run` });

    const good = await Promise.all(
      ['1+2', '2 * 3', '10 - 4'].map((expression) => admin.createTask(calculator.id, { expression })),
    );
    const bad = await admin.createTask(calculator.id, { expression: '1 / 0' }, { maxAttempts: 1 });
    const down = await admin.createTask(remote.id, { ping: true }, { maxAttempts: 5, backoffMs: 0 });
    for (const task of good) expect(await admin.finished(task.id)).toBe('succeeded');
    expect(await admin.finished(bad.id)).toBe('failed');
    expect(await admin.finished(down.id)).toBe('failed');
    expect(calls).toBe(5);

    const stats = await admin.stats();
    expect(stats.scope).toBe('all');
    expect(stats.lastHour.succeeded).toBeGreaterThanOrEqual(3);
    expect(stats.lastHour.failed).toBeGreaterThanOrEqual(2);
    expect(stats.openCircuitBreakers).toContainEqual({ agentId: remote.id, state: 'open', since: expect.any(String) });

    await signIn(page);
    await expect(page.getByText(/^Every task · updated at \d\d:\d\d:\d\d · refreshes every 10 s$/)).toBeVisible();

    // The figures: failure rates as percentages with their counts, queue depth per state, open breakers.
    const lastHour = page.getByRole('group', { name: 'Failure rate, last hour' });
    const decidedHour = stats.lastHour.succeeded + stats.lastHour.failed;
    await expect(lastHour).toContainText(percent(stats.lastHour.failureRate ?? 0));
    await expect(lastHour).toContainText(`${stats.lastHour.failed} failed of ${decidedHour} finished`);
    const lastDay = page.getByRole('group', { name: 'Failure rate, last day' });
    await expect(lastDay).toContainText(percent(stats.lastDay.failureRate ?? 0));
    await expect(lastHour.getByRole('link', { name: 'Failed tasks, last hour' })).toHaveAttribute(
      'href',
      '/tasks?status=failed&range=1h',
    );
    const queue = page.getByRole('group', { name: 'Queue depth' });
    await expect(queue).toContainText('waiting');
    for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) {
      await expect(queue.getByRole('term').filter({ hasText: state })).toBeVisible();
    }
    await expect(page.getByRole('group', { name: 'Running tasks' })).toBeVisible();
    const breakersFigure = page.getByRole('group', { name: 'Open circuit breakers' });
    await expect(breakersFigure).toContainText(String(stats.openCircuitBreakers.length));

    // The charts: named, with their text alternative.
    const tasksChart = page.getByRole('figure', { name: 'Tasks created per minute, last hour, by status' });
    await expect(tasksChart).toBeVisible();
    await expect(
      tasksChart.getByRole('application', { name: 'Tasks created per minute, last hour, by status' }),
    ).toBeVisible();
    await expect(tasksChart.locator('.recharts-bar-rectangle').first()).toBeVisible();
    await expect(page.getByRole('region', { name: 'Tasks created per minute, last hour, by status' })).toContainText(
      /tasks created in the last hour, by current status: .*succeeded, .*failed/,
    );
    await expect(
      page.getByRole('table', { name: /^Tasks created per minute, last hour, by status/, includeHidden: true }),
    ).toBeAttached();
    const rateChart = page.getByRole('figure', { name: 'Failure rate per minute, last hour' });
    await expect(rateChart.getByRole('application', { name: 'Failure rate per minute, last hour' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Failure rate per minute, last hour' })).toContainText(
      /% of the tasks created in the last hour that finished failed/,
    );

    // p95 durations per agent type, and the open breaker with its agent.
    const durations = page.getByRole('table', {
      name: "Task duration (p95, a run's start to its end) by agent type, last hour",
    });
    await expect(durations.getByRole('row', { name: /^calculator/ })).toContainText(/\d+(\.\d)? (ms|s|min)$/);
    await expect(durations.getByRole('row', { name: /^http/ })).toBeVisible();
    const breakers = page.getByRole('region', { name: 'Open circuit breakers' });
    const breaker = breakers.getByRole('listitem').filter({ hasText: remoteName });
    await expect(breaker).toContainText('open');
    await expect(breaker.getByRole('link', { name: remoteName })).toHaveAttribute('href', `/agents/${remote.id}`);

    await expectAccessible(page);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });

    // The window switch is in the URL: the day's hourly buckets, kept on reload.
    // The window switch is a radio group: reachable by keyboard, arrows move the choice.
    await page.getByRole('radio', { name: 'Last hour' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page).toHaveURL(/[?&]window=day/);
    await expect(page.getByRole('figure', { name: 'Tasks created per hour, last 24 hours, by status' })).toBeVisible();
    await expect(
      page.getByRole('table', { name: "Task duration (p95, a run's start to its end) by agent type, last 24 hours" }),
    ).toBeVisible();
    await page.reload();
    await expect(page.getByRole('radio', { name: 'Last 24 hours' })).toBeChecked();
    await expect(page.getByRole('figure', { name: 'Failure rate per hour, last 24 hours' })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('radio', { name: 'Last 24 hours' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page).not.toHaveURL(/window=/);
    await expect(page.getByRole('figure', { name: 'Tasks created per minute, last hour, by status' })).toBeVisible();
    expect(csp).toEqual([]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the overview refreshes itself', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const agent = await admin.createAgent(`overview-refresh-${Date.now()}`, 'calculator');
  await signIn(page);
  const lastDay = page.getByRole('group', { name: 'Failure rate, last day' });
  await expect(lastDay).toContainText('finished');
  const before = (await admin.stats()).lastDay;

  const task = await admin.createTask(agent.id, { expression: '7 / 0' }, { maxAttempts: 1 });
  expect(await admin.finished(task.id)).toBe('failed');
  // No reload, no navigation: the page asks again by itself (every 10 s while visible).
  await expect(lastDay).toContainText(`${before.failed + 1} failed of ${before.succeeded + before.failed + 1}`, {
    timeout: 30_000,
  });

  // A hidden tab does not ask; showing it again asks at once.
  const reads: number[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/v1/stats') reads.push(Date.now());
  });
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await setVisibility('hidden');
  await page.waitForTimeout(12_000);
  expect(reads).toEqual([]);
  await setVisibility('visible');
  await expect.poll(() => reads.length).toBeGreaterThan(0);
  expect(csp).toEqual([]);
});

test('while loading, skeletons hold the place of the figures and charts: nothing moves', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const agent = await admin.createAgent(`overview-cls-${Date.now()}`, 'calculator');
  expect(await admin.finished((await admin.createTask(agent.id, { expression: '1+2' })).id)).toBe('succeeded');
  await signIn(page);
  await expect(page.getByRole('figure').first()).toBeVisible();

  // Every layout shift of the page's own content (inside main), from the next load on.
  await page.addInitScript(() => {
    const shifts: number[] = [];
    (window as unknown as { overviewShifts: number[] }).overviewShifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
        sources?: { node?: Node | null }[];
      })[]) {
        const inMain = (entry.sources ?? []).some((s) => s.node && document.querySelector('main')?.contains(s.node));
        if (!entry.hadRecentInput && inMain) shifts.push(entry.value);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  // Slow answers, so the skeletons show: the stats, then the charts' chunk.
  await page.route('**/api/v1/stats', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.route('**/assets/StatusCharts-*.js', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.reload();
  await expect(page.getByRole('status', { name: 'Loading the overview' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Running tasks' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Tasks created per minute, last hour, by status' })).toBeVisible();
  await expect(page.getByRole('application', { name: 'Failure rate per minute, last hour' })).toBeVisible();
  const shifts = await page.evaluate(() => (window as unknown as { overviewShifts: number[] }).overviewShifts);
  expect(shifts.reduce((sum, v) => sum + v, 0)).toBeLessThan(0.01);
  expect(csp).toEqual([]);
});

test('a failed load shows the error code and request id, and trying again recovers', async ({ page }) => {
  const csp = watchCsp(page);
  await page.route('**/api/v1/stats', (route) =>
    route.fulfill({
      status: 429,
      contentType: 'application/json',
      headers: { 'Retry-After': '30' },
      body: JSON.stringify({
        status: 'error',
        error: { code: 'RATE_LIMITED', message: 'Too many requests; retry after 30 s' },
        meta: { timestamp: new Date().toISOString(), requestId: 'req-overview-429' },
      }),
    }),
  );
  await signIn(page);
  const alert = page.getByRole('alert').filter({ hasText: 'Could not load the overview' });
  await expect(alert).toContainText('RATE_LIMITED');
  await expect(alert).toContainText('req-overview-429');
  await expectAccessible(page);
  await page.unroute('**/api/v1/stats');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('group', { name: 'Running tasks' })).toBeVisible();
  await expect(alert).toHaveCount(0);
  expect(csp).toEqual([]);
});

test('a viewer sees their own tasks only, no queue depth, and what to do first', async ({
  page,
  request,
}, testInfo) => {
  const csp = watchCsp(page);
  const email = `overview-viewer-${Date.now()}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  const registered = await request.post('/api/v1/auth/register', { data: { email, password, name: 'Viewer' } });
  expect(registered.status()).toBe(201);
  const token = await apiToken(request, email, password);
  const res = await request.get('/api/v1/stats', { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  const stats = ((await res.json()) as { data: Stats & { queue: unknown } }).data;
  expect(stats.scope).toBe('own');
  expect(stats.queue).toBeNull();

  await signIn(page, email, password);
  await expect(page.getByText('Your tasks (admins see every task)')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Queue depth' })).toContainText(
    'Needs the system:read permission (admins)',
  );
  await expect(page.getByRole('group', { name: 'Running tasks' })).toContainText('0');
  await expect(page.getByRole('group', { name: 'Workers' })).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Failure rate, last hour' })).toContainText('no task finished');
  await expect(page.getByRole('group', { name: 'Open circuit breakers' })).toContainText('All closed');

  // Whatever the admin ran, a new viewer has no task: the page says what to do first.
  await expect(page.getByRole('heading', { level: 2, name: 'No tasks that you can see yet' })).toBeVisible();
  await expect(page.getByText('Creating tasks needs the tasks:write permission')).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Agents' })).toHaveAttribute('href', '/agents');
  await expect(page.getByRole('link', { name: 'New task' })).toHaveCount(0);
  await expect(page.getByRole('figure')).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: testInfo.outputPath('overview-viewer.png'), fullPage: true });
  expect(csp).toEqual([]);
});

test('an admin sees how many workers are running, and is warned when none is', async ({ page }) => {
  await signIn(page);
  // The test server runs the API and a worker in one process: at least one worker is connected.
  const workers = page.getByRole('group', { name: 'Workers' });
  await expect(workers).toContainText(/connected to the task queue/);
  await expect(workers).toContainText(/^Workers[1-9]/);

  // With every worker gone (as the system's own answer says), queued tasks wait: the figure says so.
  await page.route('**/api/v1/system/info', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { data: { workers: number } };
    await route.fulfill({ response, json: { ...body, data: { ...body.data, workers: 0 } } });
  });
  await page.reload();
  await expect(workers).toContainText(/^Workers0None running/);
  await expect(workers).toContainText('None running: queued tasks wait until a worker starts');
  await expectAccessible(page);
});
