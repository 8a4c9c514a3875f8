import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

test('the workflow list is searched by name, from a box that / focuses, in the URL', async ({ page, request }) => {
  const admin = await apiAs(request);
  const stamp = Date.now();
  const agent = await admin.createAgent(`wf-search-${stamp}`, 'calculator');
  made.agents.push(agent.id);
  const names = ['Nightly report', 'Nightly cleanup', 'Invoices'].map((n) => `${n} ${stamp}`);
  for (const name of names) {
    const steps = [{ id: 's', agentId: agent.id, input: { expression: '1+1' } }];
    made.workflows.push((await admin.call<{ id: string }>('post', '/api/v1/workflows', { name, steps }, 201)).id);
  }

  await signIn(page);
  await page.goto('/workflows?size=10&page=2');
  // The page's code loads on its first visit: `/` is heard once the page (and its search box) is there.
  const search = page.getByRole('searchbox', { name: 'Search' });
  await expect(search).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  // A search starts again at the first page and keeps the page size.
  await search.fill(`nightly`);
  await expect(page).toHaveURL(/q=nightly/);
  await expect(page).not.toHaveURL(/page=2/);
  await expect(page).toHaveURL(/size=10/);
  const table = page.getByRole('table', { name: 'Workflows' });
  await expect(table.getByRole('link', { name: names[0] })).toBeVisible();
  await expect(table.getByRole('link', { name: names[1] })).toBeVisible();
  await expect(table.getByRole('link', { name: names[2] })).toHaveCount(0);
  await search.fill(`none ${stamp}`);
  await expect(page.getByRole('heading', { level: 2, name: 'No workflows match this search' })).toBeVisible();
  await page.getByRole('button', { name: 'Clear the search' }).click();
  await expect(search).toHaveValue('');
  await expect(table.getByRole('link', { name: names[2] })).toBeVisible();
});
