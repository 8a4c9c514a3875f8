import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn } from './helpers';

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
