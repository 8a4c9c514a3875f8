import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiToken, expectAccessible, signIn, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

async function loginStatus(request: APIRequestContext, email: string, password: string): Promise<number> {
  return (await request.post('/api/v1/auth/login', { data: { email, password } })).status();
}

async function loaded(page: Page): Promise<void> {
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
}

test('an admin creates a user, changes their role, resets their password, deactivates them, and finds it all in the audit log', async ({
  page,
  request,
}) => {
  // A long walk through two pages, with an accessibility check at each step.
  test.slow();
  const csp = watchCsp(page);
  const stamp = Date.now();
  const name = `Olive Operator ${stamp}`;
  const email = `olive-${stamp}@console.test`;
  const firstPassword = 'first-password-of-olive';
  const newPassword = 'second-password-of-olive';

  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await loaded(page);
  await expectAccessible(page);

  // The signed-in admin may neither deactivate nor demote themself here.
  const self = page.getByRole('row').filter({ hasText: ADMIN.email });
  await expect(
    self.getByRole('button', { name: /^Deactivate .+ \(You cannot deactivate your own account/ }),
  ).toHaveAttribute('aria-disabled', 'true');
  await expect(self.getByRole('combobox')).toHaveCount(0);
  await expect(self.getByLabel(/^admin \(You cannot change your own role/)).toBeVisible();

  // A new user: the server's refusals land on the fields they name.
  await page.getByRole('button', { name: 'New user' }).click();
  const form = page.getByRole('dialog', { name: 'New user' });
  await form.getByLabel('Email').fill('not-an-email');
  await form.getByLabel('Name').fill(name);
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
  await form.getByRole('combobox', { name: 'Role', exact: true }).selectOption('operator');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByRole('textbox', { name: 'Password', exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toContainText('see the fields marked');
  await expectAccessible(page);

  await form.getByLabel('Email').fill(ADMIN.email.toUpperCase());
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill(firstPassword);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByLabel('Email')).toHaveAccessibleDescription(/already exists/);
  // The field the server refused has the focus, as one the form refuses itself would.
  await expect(form.getByLabel('Email')).toBeFocused();

  await form.getByLabel('Email').fill(email);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form).toBeHidden();
  const result = page.getByRole('status').filter({ hasText: email });
  await expect(result).toHaveText(`${name} (${email}) was created as an operator.`);
  const row = page.getByRole('row').filter({ hasText: email });
  const role = row.getByLabel(`Role of ${name}`, { exact: true });
  await expect(role).toHaveValue('operator');
  // Each row's actions are named with the user they act on, not the same in every row.
  await expect(row.getByRole('button', { name: `Reset password of ${name}`, exact: true })).toHaveText(
    'Reset password',
  );
  await expect(row.getByRole('button', { name: `Deactivate ${name}`, exact: true })).toHaveText('Deactivate');
  await expect(row).toContainText('active');
  await expect(row).toContainText('never');
  expect(await loginStatus(request, email, firstPassword)).toBe(200);

  // Operator → viewer.
  await role.selectOption('viewer');
  await row.getByRole('button', { name: `Save role of ${name}` }).click();
  await expect(result).toContainText(`${name} (${email}) is now a viewer.`);
  await expect(role).toHaveValue('viewer');
  await expect(row.getByRole('button', { name: /^Save role/ })).toHaveCount(0);
  const viewerToken = await apiToken(request, email, firstPassword);
  const me = await request.get('/api/v1/auth/me', { headers: { Authorization: `Bearer ${viewerToken}` } });
  expect(((await me.json()) as { data: { role: string } }).data.role).toBe('viewer');

  // A typed password is not dropped by Escape without asking; discarded, the dialog opens again empty.
  await row.getByRole('button', { name: 'Reset password' }).click();
  const reset = page.getByRole('dialog', { name: `Reset the password of ${name}` });
  await reset.getByLabel('New password').fill('a password to forget');
  await page.keyboard.press('Escape');
  const question = page.getByRole('dialog', { name: 'Close without saving?' });
  await expect(question).toContainText(`The new password of ${name} is not saved`);
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(reset).toBeHidden();
  await expect(row.getByRole('button', { name: 'Reset password' })).toBeFocused();
  await row.getByRole('button', { name: 'Reset password' }).click();
  await expect(reset.getByLabel('New password')).toHaveValue('');

  // A new password: the old one stops working, the new one signs in.
  await reset.getByLabel('New password').fill('too-short');
  await reset.getByRole('button', { name: 'Set password' }).click();
  await expect(reset.getByLabel('New password')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
  await reset.getByLabel('New password').fill(newPassword);
  await reset.getByRole('button', { name: 'Set password' }).click();
  await expect(reset).toBeHidden();
  await expect(result).toContainText(`The password of ${name} (${email}) was reset.`);
  await expect(row.getByRole('button', { name: 'Reset password' })).toBeFocused();
  expect(await loginStatus(request, email, firstPassword)).toBe(401);
  expect(await loginStatus(request, email, newPassword)).toBe(200);

  // Deactivated, they cannot sign in any more.
  await row.getByRole('button', { name: 'Deactivate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Deactivate' });
  await expect(confirm).toContainText(`${name} (${email}) can no longer sign in`);
  await confirm.getByRole('button', { name: `Deactivate ${name}` }).click();
  await expect(confirm).toBeHidden();
  await expect(result).toContainText(`${name} (${email}) was deactivated`);
  await expect(row).toContainText('deactivated');
  await expect(row.getByRole('button', { name: `Reactivate ${name}`, exact: true })).toHaveText('Reactivate');
  expect(await loginStatus(request, email, newPassword)).toBe(401);
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'users.png'), fullPage: true });

  // The role filter lives in the URL.
  await page.getByLabel('Role filter').selectOption('viewer');
  await expect(page).toHaveURL(/role=viewer/);
  await expect(page.getByRole('row').filter({ hasText: email })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: ADMIN.email })).toHaveCount(0);
  await page.goto('/users');
  await loaded(page);
  await expect(page.getByRole('row').filter({ hasText: email })).toBeVisible();
  await expect(page.getByLabel('Role filter')).toHaveValue('');

  // `/` focuses the search, which looks in emails and names.
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  const search = page.getByRole('searchbox', { name: 'Search' });
  await expect(search).toBeFocused();
  await search.fill(email.split('@')[0].toUpperCase());
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByRole('row').filter({ hasText: email })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: ADMIN.email })).toHaveCount(0);
  await search.fill('no-such-user-anywhere');
  await expect(page.getByRole('heading', { name: /No users match/ })).toBeVisible();

  // The audit log: filtered by the action of one of those changes.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await loaded(page);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  const action = page.getByRole('combobox', { name: 'Action' });
  await expect(action).toBeFocused();
  await action.fill('user.password_reset');
  await expect(page).toHaveURL(/action=user\.password_reset/);
  const entries = page.getByRole('table', { name: 'Audit entries' }).getByRole('row');
  const resetEntry = entries.filter({ hasText: 'user.password_reset' }).filter({ hasText: name });
  // The refused try (too short) and the reset itself.
  await expect(resetEntry).toHaveCount(2);
  await expect(resetEntry.filter({ hasText: 'success' })).toHaveCount(1);
  await expect(resetEntry.filter({ hasText: 'failure' })).toHaveCount(1);
  await expect(entries.filter({ hasText: 'user.update' })).toHaveCount(0);

  // The role change, with its details unfolded.
  await action.fill('user.update');
  await expect(page).toHaveURL(/action=user\.update/);
  const roleChange = entries.filter({ hasText: 'user.update' }).filter({ hasText: name }).last();
  await expect(roleChange).toBeVisible();
  const details = roleChange.getByRole('button', { name: /^Details of user\.update/ });
  await details.click();
  await expect(details).toHaveAttribute('aria-expanded', 'true');
  const json = page.getByRole('region', { name: 'Entry details' });
  await expect(json).toContainText('"role": "operator"');
  await expect(json).toContainText('"role": "viewer"');

  // Filters are in the URL: a link opens the same view.
  await page.goto('/audit?action=user.password_reset&outcome=success');
  await expect(page.getByRole('combobox', { name: 'Action' })).toHaveValue('user.password_reset');
  await expect(page.getByLabel('Outcome')).toHaveValue('success');
  await expect(entries.filter({ hasText: name })).toHaveCount(1);
  await page.getByLabel('Outcome').selectOption('denied');
  await expect(page.getByRole('heading', { level: 2, name: 'No audit entries match these filters' })).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('combobox', { name: 'Action' })).toHaveValue('');

  // Sign-in refreshes (one per page load) can be hidden, in the URL too.
  await page.goto('/audit?action=auth.refresh');
  await expect(entries.filter({ hasText: 'auth.refresh' }).first()).toBeVisible();
  // The box follows the URL, which the click changes: it is checked once the page has moved.
  const hide = page.getByRole('checkbox', { name: 'Hide sign-in refreshes' });
  await hide.click();
  await expect(page).toHaveURL(/hide=refreshes/);
  await expect(hide).toBeChecked();
  await expect(page.getByRole('heading', { level: 2, name: 'No audit entries match these filters' })).toBeVisible();

  // A sign-in that named no one is someone's try, not the platform's own work.
  expect(await loginStatus(request, `nobody-${stamp}@console.test`, 'not-the-password')).toBe(401);
  await page.goto('/audit?action=auth.login&outcome=failure');
  const unnamed = entries.filter({ hasText: 'auth.login' }).filter({ hasText: 'not identified' });
  await expect(unnamed.first()).toBeVisible();
  await expect(unnamed.first()).not.toContainText('system');

  // The chain verifies, said in words in a live region.
  await page.goto('/audit?action=user.update');
  await loaded(page);
  await page.getByRole('button', { name: 'Verify chain' }).click();
  const verdict = page.getByRole('region', { name: 'Tamper check' }).getByRole('status');
  await expect(verdict).toHaveText(/^The audit chain is intact: [\d,]+ entries checked\.$/, { timeout: 30_000 });
  await entries
    .filter({ hasText: name })
    .last()
    .getByRole('button', { name: /^Details of/ })
    .click();
  await expect(page.getByRole('region', { name: 'Entry details' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });
  expect(csp).toEqual([]);
});

test('a viewer has no Users, Audit, API keys or Queues link, is told why on /users and /audit, and the API refuses them', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const email = `viewer-audit-${Date.now()}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  const registered = await request.post('/api/v1/auth/register', { data: { email, password, name: 'Vera Viewer' } });
  expect(registered.status()).toBe(201);

  await signIn(page, email, password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Agents' })).toBeVisible();
  // Pages that would only say a permission is missing are not offered; opened by their address, they say so.
  for (const link of ['Users', 'Audit', 'API keys', 'Queues'])
    await expect(nav.getByRole('link', { name: link })).toHaveCount(0);

  await page.goto('/users');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByText('Managing users needs the users:manage permission')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New user' })).toHaveCount(0);
  await expectAccessible(page);

  await page.goto('/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await expect(page.getByText('Reading the audit log needs the audit:read permission')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Verify chain' })).toHaveCount(0);
  await expectAccessible(page);

  const token = await apiToken(request, email, password);
  const headers = { Authorization: `Bearer ${token}` };
  expect((await request.get('/api/v1/users', { headers })).status()).toBe(403);
  expect(
    (
      await request.post('/api/v1/users', {
        headers,
        data: { email: `x-${email}`, name: 'X', password, role: 'admin' },
      })
    ).status(),
  ).toBe(403);
  expect((await request.get('/api/v1/audit-logs', { headers })).status()).toBe(403);
  expect((await request.get('/api/v1/audit-logs/verify', { headers })).status()).toBe(403);
  expect(csp).toEqual([]);
});

test('a failed load shows its code and request id; a broken chain is named in words', async ({ page }) => {
  const csp = watchCsp(page);
  const brokenId = '8f14e45f-ceea-467f-a0e6-0b5e3a2b7c1d';
  await page.route('**/api/v1/audit-logs?**', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({
        status: 'error',
        error: { code: 'SERVICE_UNAVAILABLE', message: 'The database is not answering' },
        meta: { timestamp: new Date().toISOString(), requestId: 'req-audit-503' },
      }),
    }),
  );
  await page.route('**/api/v1/audit-logs/verify', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        status: 'success',
        data: { valid: false, checked: 1501, firstBrokenId: brokenId },
        meta: { timestamp: new Date().toISOString(), requestId: 'req-verify' },
      }),
    }),
  );
  await signIn(page);
  await page.goto('/audit?outcome=denied');
  const error = page.getByRole('alert').filter({ hasText: 'Could not load the audit log' });
  await expect(error).toContainText('The database is not answering', { timeout: 30_000 });
  await expect(error).toContainText('SERVICE_UNAVAILABLE');
  await expect(error).toContainText('req-audit-503');

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('region', { name: 'Tamper check' }).getByRole('status')).toHaveText(
    `The chain is broken at entry ${brokenId} (number 1,501 in chain order): its hash or its link to the entry ` +
      'before does not match. The 1,500 entries before it are intact; that entry and every later one may have ' +
      'been altered.',
  );
  await expectAccessible(page);
  expect(csp).toEqual([]);
});
