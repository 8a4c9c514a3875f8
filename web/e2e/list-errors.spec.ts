import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

test('a list the API refuses to read says which value it refused, and why', async ({ page }) => {
  await signIn(page);
  // An actor is an id (a UUID), not an email address: the server names the filter it refused.
  await page.goto(`/audit?actorId=${encodeURIComponent('admin@probe.local')}`);
  const alert = page.getByRole('alert').filter({ hasText: 'The request is invalid' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('/actorId: must be a UUID');
  await expect(alert).toContainText('Code VALIDATION_FAILED');
  // Asked again, it would be refused again: no "Try again".
  await expect(alert.getByRole('button', { name: 'Try again' })).toHaveCount(0);
});
