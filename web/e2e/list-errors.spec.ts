import { expect, test } from '@playwright/test';
import { apiAs, signIn, unique } from './helpers';

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

test('the next page that cannot be read shows its error, never the last page’s items as its own', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const user = { email: `pages-${unique()}@console.test`, password: 'an-operator-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name: 'Pager', role: 'operator' }, 201);
  const operator = await apiAs(request, user.email, user.password);
  const agent = await operator.createAgent(`paged-${unique()}`, 'calculator');
  // Eleven hooks: two pages of ten, the newest first.
  for (let i = 0; i < 11; i += 1)
    await operator.call(
      'post',
      '/api/v1/hooks',
      { name: `paged hook ${i}`, target: { agentId: agent.id }, auth: 'hmac' },
      201,
    );

  await signIn(page, user.email, user.password);
  await page.goto('/hooks');
  const firstPageRow = page.getByRole('row', { name: /paged hook 10/ });
  await expect(firstPageRow).toBeVisible();
  // The second page's read fails (as while the API is away), once the page has been seen loading.
  let release = (): void => undefined;
  const loaded = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/hooks?*skip=10*', async (route) => {
    await loaded;
    await route.fulfill({
      status: 502,
      contentType: 'application/json',
      body: JSON.stringify({ status: 'error', error: { code: 'HTTP_502', message: 'Bad gateway' } }),
    });
  });
  await page.getByRole('button', { name: 'Next page' }).click();
  // While it loads, the first page's items are marked as not this page's: busy, and out of reach (inert).
  const stale = page.locator('[aria-busy="true"][inert]');
  await expect(stale).toContainText('paged hook 10');
  await expect(stale.getByRole('button', { name: 'Delete paged hook 10' })).toHaveCount(1);
  release();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the inbound hooks' })).toBeVisible({
    timeout: 15_000,
  });
  await expect(firstPageRow).toHaveCount(0);
  await expect(page.getByText('Could not refresh')).toHaveCount(0);
  await operator.deleteAgent(agent.id);
});
