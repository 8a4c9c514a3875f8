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
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' }), path).toBeVisible();
    await expect(page.getByRole('link', { name: 'Overview' }).last()).toBeVisible();
  }
});
