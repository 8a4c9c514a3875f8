import { mkdirSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { apiAs, apiWithAgent, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

/** The API as the admin. */
const adminApi = (request: APIRequestContext) => apiAs(request);

/** A mark on `window` that a reload would wipe out. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
}
async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
}

test('a task created from the form is followed live until it succeeds, with its output', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const name = `calc-form-${Date.now()}`;
  const agent = await admin.createAgent(name, 'calculator');
  // Paused, the task waits in the queue: it can only reach "succeeded" on the page through live events.
  await admin.setAgentStatus(agent.id, 'paused');

  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  await markPage(page);
  await page.getByRole('link', { name: 'New task' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New task' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${name} (calculator, paused)` });
  const expression = page.getByLabel('expression');
  await expect(expression).toBeVisible();

  // The server's field errors land on the field they name.
  await page.getByRole('button', { name: 'Submit task' }).click();
  const field = page.getByRole('group').filter({ has: expression }).last();
  await expect(field.getByRole('listitem')).toHaveText(['Enter a value']);
  await expectAccessible(page);

  await expression.fill('6 * 7');
  // Once its subscription is acknowledged, the page reads the task again (what came before it is in no event).
  const caughtUp = page.waitForResponse(
    (res) => res.request().method() === 'GET' && /^\/api\/v1\/tasks\/[0-9a-f-]{36}$/.test(new URL(res.url()).pathname),
  );
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
  const id = /\/tasks\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
  const status = page.getByRole('group', { name: 'Task status' });
  await expect(status).toContainText('queued');
  await caughtUp;

  const detailReads: string[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === `/api/v1/tasks/${id}`) detailReads.push(req.method());
  });
  await admin.setAgentStatus(agent.id, 'active');
  await expect(status).toContainText('succeeded');
  const output = page.getByRole('region', { name: 'Output' });
  await expect(output).toContainText('"result": 42');
  await expect(page.getByRole('region', { name: 'Input' })).toContainText('6 * 7');
  await expect(page.getByText('Attempt 1', { exact: true })).toBeVisible();
  expect(detailReads).toEqual([]);
  await expectNotReloaded(page);
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'task-detail.png'), fullPage: true });
  expect(csp).toEqual([]);
});

test('a running task is cancelled from its page', async ({ page, request }) => {
  const csp = watchCsp(page);
  const seen: string[] = [];
  const pending: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    pending.push(res);
    // Answers only when cancelled (the connection closes) or when the test ends.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const admin = await adminApi(request);
    const agent = await admin.createAgent(`slow-http-${Date.now()}`, 'http', {
      url: `http://127.0.0.1:${port}/slow`,
      timeoutMs: 120_000,
    });
    const task = await admin.createTask(agent.id, { hello: 'world' });

    await signIn(page);
    await page.goto(`/tasks/${task.id}`);
    const status = page.getByRole('group', { name: 'Task status' });
    await expect(status).toContainText('running');
    expect(seen).toEqual(['POST /slow']);
    await expectAccessible(page);
    await markPage(page);

    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel' });
    await expect(dialog).toContainText('its running attempt is aborted');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Cancel the task' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status')).toHaveText('The task was cancelled.');
    await expect(status).toContainText('cancelled');
    // A deliberate cancel is said as such, not as an error.
    await expect(page.getByRole('note')).toContainText(/^Cancelled/);
    await expect(page.getByRole('alert').filter({ hasText: 'CANCELLED' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expectNotReloaded(page);
    expect(csp).toEqual([]);
  } finally {
    for (const res of pending) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the list shows a task created meanwhile, live, and keeps its filters in the URL', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const name = `calc-list-${Date.now()}`;
  const agent = await admin.createAgent(name, 'calculator');
  const first = await admin.createTask(agent.id, { expression: '1 + 1' });

  await signIn(page);
  await page.goto(`/tasks?agent=${agent.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Agent' })).toHaveValue(agent.id);
  const rows = page.getByRole('table', { name: 'Tasks' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole('link', { name: `Task ${first.id}` })).toBeVisible();
  await markPage(page);

  const second = await admin.createTask(agent.id, { expression: '2 ^ 10', variables: {} });
  const row = rows.filter({ has: page.getByRole('link', { name: `Task ${second.id}` }) });
  await expect(row).toBeVisible();
  await expect(row).toContainText('succeeded');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText(name);

  await page.getByLabel('Status').selectOption('failed');
  await expect(page).toHaveURL(new RegExp(`agent=${agent.id}.*status=failed|status=failed.*agent=${agent.id}`));
  await expect(page.getByRole('heading', { level: 2, name: 'No tasks match these filters' })).toBeVisible();
  await page.getByLabel('Status').selectOption('');
  await expect(rows).toHaveCount(3);
  await expectNotReloaded(page);
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'tasks.png'), fullPage: true });
  expect(csp).toEqual([]);
});

test('without tasks:write there is no New task button', async ({ page, request }) => {
  const email = `viewer-${Date.now()}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  expect((await request.post('/api/v1/auth/register', { data: { email, password, name: 'Viewer' } })).status()).toBe(
    201,
  );
  await signIn(page, email, password);
  await page.goto('/tasks');
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  await expect(page.getByText('Creating tasks needs the tasks:write permission.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'New task' })).toHaveCount(0);
});

const made = deleteAfterAll();

test('a page past the end of a list says so and leads to the first page, not that the list is empty', async ({
  page,
  request,
}) => {
  const { api, agent } = await apiWithAgent(request, made, 'past-end');
  await api.createTask(agent.id, { expression: '1 + 1' });
  await signIn(page);
  const lists: [path: string, noun: string][] = [
    ['/tasks?page=9999', 'tasks'],
    [`/tasks?agent=${agent.id}&page=2`, 'tasks matching these filters'],
    ['/agents?page=9999', 'agents'],
    ['/users?page=9999', 'users'],
    ['/audit?page=9999', 'audit entries'],
  ];
  for (const [path, noun] of lists) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 2, name: 'Nothing on this page' }), path).toBeVisible();
    await expect(
      page.getByText(new RegExp(`^There are [\\d,]+\\+? ${noun}, fewer than this page starts at\\.$`)),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Go to the first page' }).click();
    await expect(page).not.toHaveURL(/[?&]page=/);
    await expect(page.getByRole('heading', { level: 2, name: 'Nothing on this page' })).toHaveCount(0);
    await expect(page.getByRole('table').getByRole('row').nth(1)).toBeVisible();
  }
});

test('a page deeper than the API pages leads to the first page too, not to a refused request', async ({
  page,
  request,
}) => {
  const { api, agent } = await apiWithAgent(request, made, 'too-deep');
  await api.createTask(agent.id, { expression: '2 + 2' });
  await signIn(page);
  // Each starts past the 1,000,000 items the API skips at most: 25 agents, 20 tasks and 50 audit entries a page.
  for (const path of ['/agents?page=50002', '/tasks?page=50002', '/audit?page=99999999999999999999']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 2, name: 'Nothing on this page' }), path).toBeVisible();
    await expect(
      page.getByText('Lists are paged no deeper than 1,000,000 items, and this page starts beyond that.'),
    ).toBeVisible();
    await expect(page.getByText('VALIDATION_FAILED')).toHaveCount(0);
    await page.getByRole('button', { name: 'Go to the first page' }).click();
    await expect(page).not.toHaveURL(/[?&]page=/);
    await expect(page.getByRole('heading', { level: 2, name: 'Nothing on this page' })).toHaveCount(0);
    await expect(page.getByRole('table').getByRole('row').nth(1)).toBeVisible();
  }
});
