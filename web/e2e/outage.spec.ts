import { type Page, type Route, expect, test } from '@playwright/test';
import { apiAs, apiWithAgent, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/** The answer of a platform whose Redis or database is down, as the API's envelope. */
function outage(route: Route, requestId: string): Promise<void> {
  return route.fulfill({
    status: 503,
    contentType: 'application/json',
    headers: { 'X-Request-Id': requestId },
    body: JSON.stringify({
      status: 'error',
      error: { code: 'SERVICE_UNAVAILABLE', message: 'A dependency of the platform is unavailable' },
      meta: { timestamp: new Date().toISOString(), requestId },
    }),
  });
}

async function openAgents(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
}

test('a reload during an outage says the service is unavailable, keeps the session and comes back by itself', async ({
  page,
}) => {
  const csp = watchCsp(page);
  await signIn(page);
  await openAgents(page);
  const address = page.url();

  let refused = 0;
  await page.route('**/api/v1/auth/refresh', (route) => (refused++ < 2 ? outage(route, 'r-outage') : route.fallback()));
  await page.reload();

  await expect(page.getByRole('heading', { level: 1, name: 'YMERA is unavailable' })).toBeVisible();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('A dependency of the platform is unavailable');
  await expect(alert).toContainText('SERVICE_UNAVAILABLE');
  await expect(alert).toContainText('r-outage');
  await expect(page.getByRole('status')).toContainText('You have not been signed out');
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  expect(page.url()).toBe(address);
  await expectAccessible(page);

  // Asked again by itself (after 2 s, then 4 s): once the service answers, the page asked for is back.
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible({ timeout: 20_000 });
  expect(refused).toBe(3);
  expect(page.url()).toBe(address);
  expect(csp).toEqual([]);
});

test('a rate limit while the session is restored says requests are limited and when to try again', async ({ page }) => {
  await signIn(page);
  await openAgents(page);
  let limited = true;
  await page.route('**/api/v1/auth/refresh', (route) =>
    limited
      ? route.fulfill({
          status: 429,
          contentType: 'application/json',
          headers: { 'Retry-After': '40', 'X-Request-Id': 'r-limited' },
          body: JSON.stringify({
            status: 'error',
            error: { code: 'RATE_LIMITED', message: 'Too many requests; try again in 40 seconds' },
            meta: { timestamp: new Date().toISOString(), requestId: 'r-limited' },
          }),
        })
      : route.fallback(),
  );
  await page.reload();

  // The service answered: not "unavailable", not "could not be reached".
  await expect(page.getByRole('heading', { level: 1, name: 'Requests to YMERA are being limited' })).toBeVisible();
  await expect(page.getByText('YMERA is unavailable')).toHaveCount(0);
  await expect(page.getByText('The service could not be reached')).toHaveCount(0);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Too many requests for now: try again in 40 seconds');
  await expect(alert).toContainText('RATE_LIMITED');
  await expect(page.getByRole('status')).toContainText('You have not been signed out');
  await expectAccessible(page);

  limited = false;
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
});

test('with no answer at all, "Try again" asks at once and restores the session', async ({ page }) => {
  await signIn(page);
  await page.route('**/api/v1/auth/refresh', (route) => route.abort('connectionrefused'));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'YMERA is unavailable' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('The service did not answer');

  await page.unroute('**/api/v1/auth/refresh');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
});

test('a request that gets no answer at all says the API could not be reached, not "Failed to fetch"', async ({
  page,
}) => {
  await signIn(page);
  const agentsApi = (url: URL) => url.pathname === '/api/v1/agents';
  await page.route(agentsApi, (route) => route.abort('internetdisconnected'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Could not load agents' });
  await expect(alert).toContainText(
    'Could not reach the YMERA API: check your connection, or whether the service is running',
    { timeout: 20_000 },
  );
  await expect(alert).not.toContainText('Failed to fetch');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  await page.unroute(agentsApi);
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(alert).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
});

test('an expired access token during an outage leaves the user signed in, the error on the page', async ({ page }) => {
  await signIn(page);
  let expired = true;
  await page.route('**/api/v1/agents?*', (route) =>
    expired
      ? route.fulfill({
          status: 401,
          contentType: 'application/json',
          body: JSON.stringify({
            status: 'error',
            error: { code: 'UNAUTHENTICATED', message: 'Access token expired' },
          }),
        })
      : route.fallback(),
  );
  await page.route('**/api/v1/auth/refresh', (route) => outage(route, 'r-refresh'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('SERVICE_UNAVAILABLE', { timeout: 20_000 });
  await expect(alert).toContainText('r-refresh');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);

  expired = false;
  await page.unroute('**/api/v1/auth/refresh');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'No agents yet' })).toBeVisible();
});

test('a page whose code cannot be fetched fails in its place, the menu kept, saying why', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  // The page before is loaded whole, its charts' code too (fetched once its figures arrive, when there are any).
  await page.waitForLoadState('networkidle');
  // The platform gone: no page code not fetched yet can come.
  await page.route('**/assets/**', (route) => route.abort('connectionrefused'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  const failed = page.getByRole('alert').filter({ hasText: 'This page could not be shown' });
  await expect(failed).toContainText("This page's code could not be loaded");
  await expect(failed.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

  // Back: the page before loads as it did.
  await page.unroute('**/assets/**');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  // And the page that failed, opened again, loads its code now: no reload needed.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await expect(failed).toHaveCount(0);
});

test("the overview's charts whose code cannot be fetched say so in their place, and come back online or on Try again", async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  // A task of the last hour: the overview has charts to show.
  const { api: admin, agent } = await apiWithAgent(request, made, 'charted');
  await admin.createTask(agent.id, { expression: '1 + 1' });
  // The charts' code is fetched once the figures arrive: the platform is unreachable just then.
  let reachable = false;
  let asked = 0;
  await page.route('**/assets/StatusCharts-*.js', (route) => {
    asked += 1;
    return reachable ? route.fallback() : route.abort('connectionrefused');
  });
  await signIn(page);

  const notice = page.getByRole('alert').filter({ hasText: 'The charts could not be shown' });
  await expect(notice).toContainText('Their code could not be loaded: the platform may be unreachable');
  // The rest of the overview is there, and works.
  await expect(page.getByText("This page's code could not be loaded")).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Running tasks' })).toBeVisible();
  await page.getByRole('radio', { name: 'Last hour' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/[?&]window=day/);
  await expect(
    page.getByRole('heading', {
      level: 2,
      name: "Task duration (p95, a run's start to its end) by agent type, last 24 hours",
    }),
  ).toBeVisible();
  await expect(notice).toBeVisible();
  await expectAccessible(page);
  // Asked once, not again and again while it cannot come.
  expect(asked).toBe(1);

  // The browser back online: asked again by itself (refused again here, and said so again).
  await page.context().setOffline(true);
  await page.context().setOffline(false);
  await expect.poll(() => asked).toBe(2);
  await expect(notice).toContainText('Their code could not be loaded');

  reachable = true;
  await notice.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('figure', { name: 'Tasks created per hour, last 24 hours, by status' })).toBeVisible();
  await expect(page.getByRole('application', { name: 'Failure rate per hour, last 24 hours' })).toBeVisible();
  await expect(notice).toHaveCount(0);
  expect(asked).toBe(3);
  expect(csp).toEqual([]);
});

test('a list whose refresh fails keeps the rows it showed, the error above them', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`kept-${Date.now()}`, 'calculator');
  made.agents.push(agent.id);
  const first = await admin.createTask(agent.id, { expression: '1 + 1' });
  await signIn(page);
  await page.goto(`/tasks?agentId=${agent.id}`);
  const row = page.getByRole('row').filter({ hasText: first.id.slice(0, 8) });
  await expect(row).toContainText('succeeded');

  // The list is read again when a task it does not hold appears: that read fails.
  await page.route(/\/api\/v1\/tasks\?/, (route) => outage(route, 'req-kept-rows'));
  const second = await admin.createTask(agent.id, { expression: '2 + 2' });
  const notice = page.getByRole('alert').filter({ hasText: 'Could not refresh: showing the tasks as last loaded' });
  await expect(notice).toContainText('req-kept-rows');
  await expect(row).toContainText('succeeded');
  await expect(page.getByText('Could not load the tasks')).toHaveCount(0);

  // The platform back: the list asks again by itself (every 15 s while it shows such an error), no Try again.
  await page.unroute(/\/api\/v1\/tasks\?/);
  await expect(notice).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByRole('row').filter({ hasText: second.id.slice(0, 8) })).toBeVisible();
});
