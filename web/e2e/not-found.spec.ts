import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

test('an address under a page that leads nowhere says so, rather than showing an empty page', async ({ page }) => {
  await signIn(page);
  for (const path of [
    '/workflows/runs/5f0c8a52-1111-4111-8111-111111111111',
    '/workflows/a/b/c',
    '/agents/x/y',
    '/tasks/x/y',
    '/webhooks/a/b',
    '/bulk-operations/a/b',
    '/schedules/x',
    // Malformed percent-encoding: the console's page all the same, not the API's JSON.
    '/%E0%A4%A',
    '/workflows/%E0%A4%A/x',
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' }), path).toBeVisible();
    await expect(page.getByRole('link', { name: 'Overview' }).last()).toBeVisible();
  }
});

test('an address whose id is malformed says in plain words that nothing has it, not how the server checked it', async ({
  page,
}) => {
  await signIn(page);
  for (const [path, title] of [
    ['/tasks/not-a-uuid', 'Could not load this task'],
    ['/agents/xyz', 'Could not load the agent'],
    ['/webhooks/zzz', 'Could not load the webhook'],
    ['/bulk-operations/zzz', 'Could not load the bulk operation'],
    ['/workflows/abc', 'Could not load the workflow'],
    ['/workflows/abc/runs/def', 'Could not load the run'],
  ]) {
    await page.goto(path);
    const alert = page.getByRole('alert').filter({ hasText: title });
    await expect(alert, path).toContainText('Nothing has this id: the id in the address is not a valid one.');
    await expect(alert, path).not.toContainText(/uuid|Validation failed/i);
    // The request can still be found in the logs.
    await expect(alert, path).toContainText(/request \S+/);
    await expect(page.getByRole('button', { name: 'Try again' }), path).toHaveCount(0);
  }
});
