import { type Locator, type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn, unique } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL, viewport: { width: 390, height: 844 } });

const made = deleteAfterAll();

/**
 * On a phone's width (390 px) no page is wider than the window: long tables scroll inside their own container,
 * the rest wraps.
 */
test('no page scrolls sideways at 390 px', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`narrow-${Date.now()}`, 'calculator');
  made.agents.push(agent.id);
  // A second config version, so the agent page has versions to compare.
  await admin.call('post', `/api/v1/agents/${agent.id}/config`, { config: { precision: 4 } }, 200);
  const task = await admin.createTask(agent.id, { expression: '6 * 7' });

  await signIn(page);
  const pages = [
    '/',
    '/agents',
    `/agents/${agent.id}`,
    '/tasks',
    `/tasks/${task.id}`,
    '/tasks/new',
    '/workflows',
    '/workflows/new',
    '/schedules',
    '/webhooks',
    '/hooks',
    '/bulk-operations',
    '/audit',
    '/users',
    '/api-keys',
    '/queues',
    '/profile',
  ];
  const wide: string[] = [];
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    if (widths.page > widths.window) {
      const culprits = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
          .slice(0, 8)
          .map(
            (e) => `${e.tagName}.${String(e.className).slice(0, 60)} ${Math.round(e.getBoundingClientRect().right)}`,
          ),
      );
      wide.push(`${path}: ${widths.page} px ${culprits.join(' | ')}`);
    }
  }
  expect(wide).toEqual([]);
});

/**
 * A list's first columns stay in view at 390 px: which item and its state, without scrolling the table sideways
 * (the columns after them scroll).
 */
test('at 390 px the schedules list shows each schedule with its status in view', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`narrow-sched-${Date.now()}`, 'calculator');
  made.agents.push(agent.id);
  const name = `Narrow schedule ${Date.now()}`;
  const schedule = await admin.call<{ id: string }>(
    'post',
    '/api/v1/schedules',
    { name, target: { agentId: agent.id, input: { expression: '1+1' } }, everyMs: 3_600_000, paused: true },
    201,
  );
  made.schedules.push(schedule.id);

  await signIn(page);
  await page.goto('/schedules');
  const table = page.getByRole('table', { name: 'Schedules' });
  const row = table.getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  const inView = async (box: { x: number; width: number } | null) =>
    box !== null && box.x >= 0 && box.x + box.width <= (await page.evaluate(() => innerWidth));
  const status = row.locator('.state-pill');
  await expect(status).toHaveText('paused');
  expect(await inView(await table.getByRole('columnheader', { name: 'Status' }).boundingBox())).toBe(true);
  expect(await inView(await status.boundingBox())).toBe(true);
  expect(await inView(await row.getByRole('rowheader').getByText(name).boundingBox())).toBe(true);
});

/** Where a box lies across the window: wholly in view, or not. */
async function inView(page: Page, box: { x: number; width: number } | null): Promise<boolean> {
  return box !== null && box.x >= 0 && box.x + box.width <= (await page.evaluate(() => innerWidth));
}

/** How many lines the text of each element takes (a word broken over two lines takes two). */
async function lineCounts(target: Locator): Promise<number[]> {
  return target.evaluateAll((elements) =>
    elements.map((element) => {
      const range = document.createRange();
      range.selectNodeContents(element);
      return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
    }),
  );
}

test('at 390 px the tasks list keeps each task’s short id on one line', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`narrow-ids-${unique()}`, 'calculator');
  made.agents.push(agent.id);
  const task = await admin.createTask(agent.id, { expression: '6 * 7' });

  await signIn(page);
  await page.goto(`/tasks?agent=${agent.id}`);
  const link = page.getByRole('table', { name: 'Tasks' }).getByRole('link', { name: `Task ${task.id}` });
  await expect(link).toHaveText(task.id.slice(0, 8));
  expect(await lineCounts(link)).toEqual([1]);
});

test('at 390 px the API keys list scrolls inside its table, each key named in view, and fits at 1280 px', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const name = `Narrow key ${Date.now()}`;
  const key = await admin.call<{ id: string; prefix: string }>(
    'post',
    '/api/v1/api-keys',
    { name, scopes: ['agents:read', 'tasks:read', 'tasks:write', 'workflows:read', 'schedules:read'] },
    201,
  );
  try {
    await signIn(page);
    await page.goto('/api-keys');
    const table = page.getByRole('table', { name: 'API keys' });
    const row = table.getByRole('row', { name: new RegExp(name) });
    await expect(row).toBeVisible();
    // The page is no wider than the window: the table scrolls in its own container.
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    // Which key it is stays in view: its name and prefix.
    expect(await inView(page, await row.getByRole('rowheader').getByText(name).boundingBox())).toBe(true);
    expect(await inView(page, await row.getByText(`${key.prefix}…`).boundingBox())).toBe(true);
    // Words are not broken: each scope and "Never" on one line.
    const scopes = row.locator('.scope-list code');
    await expect(scopes).toHaveCount(5);
    expect(await lineCounts(scopes)).toEqual([1, 1, 1, 1, 1]);
    const never = row.getByRole('cell', { name: 'Never', exact: true });
    await expect(never).toHaveCount(2);
    expect(await lineCounts(never)).toEqual([1, 1]);
    // Revoke is reached by scrolling the table sideways.
    const revoke = row.getByRole('button', { name: `Revoke ${name}` });
    await revoke.scrollIntoViewIfNeeded();
    expect(await inView(page, await revoke.boundingBox())).toBe(true);
    expect(await page.evaluate(() => scrollX)).toBe(0);

    // On a desktop's width the whole table is in view, nothing to scroll.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/api-keys');
    await expect(row).toBeVisible();
    expect(await inView(page, await row.getByRole('button', { name: `Revoke ${name}` }).boundingBox())).toBe(true);
    expect(await inView(page, await table.boundingBox())).toBe(true);
    expect(await lineCounts(row.locator('.scope-list code'))).toEqual([1, 1, 1, 1, 1]);
  } finally {
    await admin.call('delete', `/api/v1/api-keys/${key.id}`, undefined, 204);
  }
});

test('at 390 px the webhooks and inbound hooks lists show each with its status in view', async ({ page, request }) => {
  const admin = await apiAs(request);
  const stamp = Date.now();
  const url = `http://127.0.0.1:9/narrow/receiver-${stamp}`;
  const webhook = await admin.call<{ id: string }>(
    'post',
    '/api/v1/webhooks',
    { url, events: ['task.succeeded', 'task.failed', 'task.cancelled', 'run.succeeded', 'run.failed'] },
    201,
  );
  const agent = await admin.createAgent(`narrow-hook-${stamp}`, 'calculator');
  made.agents.push(agent.id);
  const hookName = `Narrow hook ${stamp}`;
  const hook = await admin.call<{ id: string }>(
    'post',
    '/api/v1/hooks',
    { name: hookName, target: { agentId: agent.id }, auth: 'hmac' },
    201,
  );
  try {
    await signIn(page);
    await page.goto('/webhooks');
    const webhooks = page.getByRole('table', { name: 'Webhooks' });
    const endpoint = webhooks.getByRole('row', { name: new RegExp(url) });
    await expect(endpoint).toBeVisible();
    const state = endpoint.locator('.state-pill');
    // Tasks of other tests finishing meanwhile are delivered to it, and fail (nothing listens there).
    await expect(state).toHaveText(/^(enabled|failing)$/);
    expect(await inView(page, await webhooks.getByRole('columnheader', { name: 'Status' }).boundingBox())).toBe(true);
    expect(await inView(page, await state.boundingBox())).toBe(true);
    expect(await inView(page, await endpoint.getByRole('rowheader').boundingBox())).toBe(true);

    await page.goto('/hooks');
    const hooks = page.getByRole('table', { name: 'Inbound hooks' });
    const row = hooks.getByRole('row', { name: new RegExp(hookName) });
    await expect(row).toBeVisible();
    const enabled = row.locator('.state-pill');
    await expect(enabled).toHaveText('enabled');
    expect(await inView(page, await hooks.getByRole('columnheader', { name: 'Status' }).boundingBox())).toBe(true);
    expect(await inView(page, await enabled.boundingBox())).toBe(true);
    expect(await inView(page, await row.getByRole('rowheader').getByText(hookName).boundingBox())).toBe(true);
  } finally {
    await admin.call('delete', `/api/v1/webhooks/${webhook.id}`, undefined, 204);
    await admin.call('delete', `/api/v1/hooks/${hook.id}`, undefined, 204);
  }
});

test('at 390 px the webhooks list keeps URL and status in view with one event each and a 300-character URL', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const short = `http://127.0.0.1:9/narrow/one-${stamp}`;
  const long = `http://127.0.0.1:9/narrow/${'long-path-'.repeat(30)}${stamp}`.slice(0, 300);
  const made: string[] = [];
  for (const url of [short, long]) {
    const webhook = await admin.call<{ id: string }>('post', '/api/v1/webhooks', { url, events: ['run.failed'] }, 201);
    made.push(webhook.id);
  }
  try {
    expect(long).toHaveLength(300);
    await signIn(page);
    await page.goto('/webhooks');
    const webhooks = page.getByRole('table', { name: 'Webhooks' });
    expect(await inView(page, await webhooks.getByRole('columnheader', { name: 'Status' }).boundingBox())).toBe(true);
    for (const url of [short, long]) {
      const endpoint = webhooks.getByRole('row', { name: new RegExp(url) });
      await expect(endpoint).toBeVisible();
      const state = endpoint.locator('.state-pill');
      // Runs of other tests failing meanwhile are delivered to it, and fail (nothing listens there).
      await expect(state).toHaveText(/^(enabled|failing)$/);
      expect(await inView(page, await state.boundingBox())).toBe(true);
      // Which endpoint: its link in view, its URL whole in its name and on hover.
      const link = endpoint.getByRole('link', { name: `Deliveries of ${url}` });
      await expect(link).toHaveAttribute('title', url);
      expect(await inView(page, await link.boundingBox())).toBe(true);
      expect(await inView(page, await endpoint.getByRole('rowheader').boundingBox())).toBe(true);
    }
    // The long URL is cut to a few lines, not a column of them.
    const link = webhooks.getByRole('link', { name: `Deliveries of ${long}` });
    expect((await link.boundingBox())?.height ?? Infinity).toBeLessThan(80);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
  } finally {
    for (const id of made) await admin.call('delete', `/api/v1/webhooks/${id}`, undefined, 204);
  }
});

/** How far the page scrolls sideways: none when it is no wider than the window. */
async function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('at 390 px a long unbroken workflow name wraps on its pages, and a new API key’s long name in its box', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const name = `${'W'.repeat(120)}${stamp}`;
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name, steps: [{ id: 'ok', kind: 'approval', timeoutMs: 3_600_000 }] },
    201,
  );
  made.workflows.push(workflow.id);
  const run = await admin.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);

  await signIn(page);
  // The workflow's page, its editor's and its run's: the heading and the "← name" link back wrap.
  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.goto(`/workflows/${workflow.id}/edit`);
  await expect(page.getByRole('heading', { level: 1, name: `Edit ${name}` })).toBeVisible();
  await expect(page.getByRole('link', { name: `← ${name}` })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
  await expect(page.getByRole('link', { name: `← ${name}` })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);

  // A new API key named with one long word: the label of the key shown once wraps too.
  const keyName = `${'K'.repeat(80)}${stamp}`;
  await page.goto('/api-keys');
  await page.getByRole('button', { name: 'New API key' }).click();
  const form = page.getByRole('region', { name: 'New API key' });
  await form.getByRole('textbox', { name: 'Name' }).fill(keyName);
  await form.getByRole('checkbox', { name: 'agents:read', exact: true }).check();
  await form.getByRole('button', { name: 'Create key' }).click();
  const box = page.getByRole('region', { name: 'Copy your new API key now' });
  await expect(box.getByRole('textbox', { name: `Key “${keyName}”` })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  const keys = await admin.call<{ id: string; name: string }[]>('get', '/api/v1/api-keys?limit=100', undefined, 200);
  for (const key of keys.filter((k) => k.name === keyName)) {
    await admin.call('delete', `/api/v1/api-keys/${key.id}`, undefined, 204);
  }
});

test('at 390 px a long user name is cut in the header, and no page scrolls sideways', async ({ page, request }) => {
  const admin = await apiAs(request);
  const name = 'Alexandra Papadopoulou';
  const user = { email: `long-name-${unique()}@console.test`, password: 'a-viewer-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name, role: 'viewer' }, 201);

  await signIn(page, user.email, user.password);
  for (const path of ['/', '/tasks']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    expect(await sideways(page), path).toBeLessThanOrEqual(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    // The name is there, cut with an ellipsis: whole in its accessible name and tooltip.
    const link = page.getByRole('banner').getByRole('link', { name: `Profile: ${name} (viewer)` });
    await expect(link).toBeVisible();
    await expect(link).toHaveAttribute('title', `${name} (viewer)`);
    expect(
      await link.evaluate((e) => e.scrollWidth > e.clientWidth && getComputedStyle(e).textOverflow === 'ellipsis'),
      path,
    ).toBe(true);
    expect(await inView(page, await link.boundingBox()), path).toBe(true);
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
  }
});
