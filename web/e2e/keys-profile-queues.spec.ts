import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { ADMIN } from './global-setup';
import { apiToken, expectAccessible, previousStepCode, signIn, unique, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

interface User {
  email: string;
  password: string;
  name: string;
}

/** A new viewer, through the public registration. */
async function registerViewer(request: APIRequestContext, name: string): Promise<User> {
  const user = {
    email: `${name.toLowerCase().replace(/\W+/g, '-')}-${unique()}@console.test`,
    password: 'a-long-password-for-tests',
    name,
  };
  const res = await request.post('/api/v1/auth/register', { data: user });
  expect(res.status(), await res.text()).toBe(201);
  return user;
}

/** A new operator, created by the admin. */
async function createOperator(request: APIRequestContext, name: string): Promise<User> {
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  const user = { email: `operator-${unique()}@console.test`, password: 'an-operator-password-for-tests', name };
  const res = await request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${token}` },
    data: { ...user, role: 'operator' },
  });
  expect(res.status(), await res.text()).toBe(201);
  return user;
}

async function allowClipboard(context: BrowserContext): Promise<void> {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(process.env.CONSOLE_URL ?? 'http://127.0.0.1').origin,
  });
}

async function openPage(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
}

test('an API key: scopes from the user’s permissions, shown once and copied, works in scope only, revoked', async ({
  page,
  request,
  context,
}) => {
  await allowClipboard(context);
  const csp = watchCsp(page);
  const operator = await createOperator(request, 'Key operator');
  await signIn(page, operator.email, operator.password);
  await openPage(page, 'API keys');
  await expect(page.getByRole('heading', { level: 2, name: 'No API keys yet' })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'New API key' }).click();
  const form = page.getByRole('region', { name: 'New API key' });
  await expect(form.getByRole('textbox', { name: 'Name' })).toBeFocused();
  // Only the operator's own permissions are offered.
  await expect(form.getByRole('checkbox')).toHaveCount(15);
  for (const held of ['agents:read', 'tasks:write', 'schedules:write', 'apikeys:manage']) {
    await expect(form.getByRole('checkbox', { name: held, exact: true })).toBeVisible();
  }
  for (const notHeld of ['users:manage', 'audit:read', 'queues:manage', 'system:read']) {
    await expect(form.getByRole('checkbox', { name: notHeld, exact: true })).toHaveCount(0);
  }
  await form.getByRole('button', { name: 'Create key' }).click();
  await expect(form.getByText('Give the key a name: what will use it?')).toBeVisible();
  await expect(form.getByText('Choose at least one scope')).toBeVisible();

  const name = `agents-reader-${unique()}`;
  await form.getByRole('textbox', { name: 'Name' }).fill(name);
  await form.getByRole('checkbox', { name: 'agents:read', exact: true }).check();
  await expect(form.getByLabel('Expires')).toHaveValue('30');
  await form.getByRole('button', { name: 'Create key' }).click();

  const box = page.getByRole('region', { name: 'Copy your new API key now' });
  await expect(box).toBeVisible();
  await expect(box).toContainText('This key will not be shown again');
  const key = await box.getByRole('textbox', { name: `Key “${name}”` }).inputValue();
  expect(key).toMatch(/^ymk_[A-Za-z0-9]{12}_/);
  await box.getByRole('button', { name: 'Copy key' }).click();
  await expect(box.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(`${key.split('_').slice(0, 2).join('_')}…`);
  await expect(row).toContainText('agents:read');
  await expect(row).not.toContainText('tasks:read');
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'api-keys.png'), fullPage: true });

  // The key works within its scope, and only there.
  const withKey = { headers: { 'X-API-Key': key } };
  expect((await request.get('/api/v1/agents', withKey)).status()).toBe(200);
  const outOfScope = await request.get('/api/v1/tasks', withKey);
  expect(outOfScope.status()).toBe(403);
  expect(((await outOfScope.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');

  // Shown once: after a reload it is gone from the page, and the list says it was used.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Copy your new API key now' })).toHaveCount(0);
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell').nth(3)).not.toHaveText('Never');

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${name}` });
  await expect(dialog).toContainText(`The key “${name}”`);
  await expect(dialog).toContainText('stops working at once');
  // The key set nothing running: there is nothing to keep running, and no such choice.
  await expect(dialog).toContainText('It set nothing running');
  await expect(dialog.getByRole('checkbox')).toHaveCount(0);
  // What the dialog read of the key is not asked for again once it is gone (that would be a 404).
  const askedAfter: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/revocation')) askedAfter.push(req.url());
  });
  await dialog.getByRole('button', { name: 'Revoke the key' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Revoked “${name}”` })).toBeVisible();
  await expect(row).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 2, name: 'No API keys yet' })).toBeVisible();
  // The row went with the key: focus goes on at New API key, not on the page.
  await expect(page.getByRole('button', { name: 'New API key' })).toBeFocused();
  expect(askedAfter).toEqual([]);

  const refused = await request.get('/api/v1/agents', withKey);
  expect(refused.status()).toBe(401);
  expect(csp).toEqual([]);
});

test('two-factor authentication: enrolled from the profile page; signing in again asks for the code', async ({
  page,
  request,
  context,
}) => {
  await allowClipboard(context);
  const csp = watchCsp(page);
  const user = await registerViewer(request, 'Profile viewer');
  await signIn(page, user.email, user.password);
  await page.getByRole('link', { name: /^Profile: / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);

  const account = page.getByRole('region', { name: 'Account' });
  await expect(account).toContainText(user.name);
  await expect(account).toContainText(user.email);
  await expect(account).toContainText('viewer');
  const permissions = page.getByRole('list', { name: 'Your permissions' });
  await expect(permissions.getByRole('listitem')).toHaveCount(7);
  await expect(permissions).toContainText('agents:read');
  await expect(permissions).not.toContainText('agents:write');

  const mfa = page.getByRole('region', { name: 'Two-factor authentication' });
  await expect(mfa).toContainText('Off');
  await expectAccessible(page);
  await mfa.getByRole('button', { name: 'Set up two-factor authentication' }).click();

  const qr = mfa.getByRole('img', { name: /^QR code of your two-factor secret/ });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((el) => el.tagName.toLowerCase())).toBe('svg');
  expect(await qr.locator('path').count()).toBeGreaterThan(0);
  const secret = (await mfa.getByRole('textbox', { name: 'Secret' }).inputValue()).replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  const code = mfa.getByRole('textbox', { name: 'Code', exact: true });
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'profile.png'), fullPage: true });

  // A code from long ago is refused, in words.
  await code.fill(totp.generate({ timestamp: Date.now() - 3600_000 }));
  await mfa.getByRole('button', { name: 'Enable' }).click();
  await expect(mfa.getByText(/^That code did not work/)).toBeVisible();

  // Enabled with the previous step's code, so that the current one is still unspent for signing in.
  await code.fill(await previousStepCode(totp));
  await mfa.getByRole('button', { name: 'Enable' }).click();
  const recovery = mfa.getByRole('region', { name: 'Your recovery codes' });
  await expect(recovery).toBeVisible();
  await expect(recovery).toContainText('will not be shown again');
  const codes = await recovery.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  await recovery.getByRole('button', { name: 'Copy recovery codes' }).click();
  await expect(recovery.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join('\n'));
  await expect(mfa).toContainText('10 recovery codes left');
  await expect(mfa.getByRole('img', { name: /^QR code/ })).toHaveCount(0);
  await expectAccessible(page);

  const logout = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/logout'));
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  expect((await logout).status()).toBe(204);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('two-factor');
  await page.getByLabel('Code').fill(totp.generate());
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed out by hand, the console does not lead back to the page left: the profile is opened again.
  await page.getByRole('link', { name: /^Profile: / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
  await expect(mfa).toContainText('On');
  await expect(mfa).toContainText('10 recovery codes left');
  await expect(mfa.getByRole('region', { name: 'Your recovery codes' })).toHaveCount(0);

  // Turning it off with a recovery code asks once, and says so.
  const turnOff = mfa.getByRole('button', { name: /^Turn off two-factor authentication/ });
  await expect(turnOff).toHaveAttribute('aria-disabled', 'true');
  await mfa.getByRole('textbox', { name: 'Code', exact: true }).fill(codes[0].toLowerCase());
  await expect(mfa.getByRole('button', { name: /^Regenerate recovery codes \(/ })).toHaveAttribute(
    'aria-disabled',
    'true',
  );
  await mfa.getByRole('button', { name: 'Turn off two-factor authentication', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Turn off two-factor authentication' });
  await expect(dialog).toContainText('only your password');
  await dialog.getByRole('button', { name: 'Turn it off' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(mfa.getByRole('status').filter({ hasText: 'Two-factor authentication is off.' })).toBeVisible();
  await expect(mfa.getByRole('button', { name: 'Set up two-factor authentication' })).toBeVisible();
  expect(csp).toEqual([]);
});

test('an admin opens the queue board from the Queues page, with a board session', async ({ page, request }) => {
  const csp = watchCsp(page);
  // What the page is told (its body is gone once the page has navigated to the board): writable for an admin.
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  const answer = await request.post('/api/v1/queues/board-session', { headers: { Authorization: `Bearer ${token}` } });
  expect(answer.status()).toBe(200);
  expect(((await answer.json()) as { data: { readOnly: boolean; path: string } }).data).toMatchObject({
    readOnly: false,
    path: '/admin/queues',
  });
  await signIn(page);
  await openPage(page, 'Queues');
  const depth = page.getByRole('region', { name: 'Task queue now' });
  await expect(depth).toContainText('Waiting');
  await expect(depth).toContainText('Failed');
  await expect(page.getByRole('region', { name: 'Queue board' })).toContainText('yours is writable');
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'queues.png'), fullPage: true });
  expect(csp).toEqual([]);

  // The board page's own errors and CSP refusals (it is Bull Board's page, not the console's).
  const boardMessages: string[] = [];
  page.on('console', (message) => {
    if (
      page.url().includes('/admin/queues') &&
      (message.type() === 'error' || /Content Security/i.test(message.text()))
    )
      boardMessages.push(message.text());
  });
  const opened = page.waitForResponse((res) => res.url().endsWith('/api/v1/queues/board-session'));
  await page.getByRole('button', { name: 'Open queue board' }).click();
  const session = await opened;
  expect(session.status()).toBe(200);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'ymera_board');
  expect(cookie).toMatchObject({ path: '/admin/queues', httpOnly: true, sameSite: 'Strict' });
  await page.waitForURL(/\/admin\/queues/);
  await expect(page).toHaveTitle(/Bull/i);
  // The task queue is listed by name on the board.
  await expect(page.getByText('tasks', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
  // Nothing on the board's page is refused or fails (its web-font link is taken out by the server).
  expect(boardMessages).toEqual([]);

  // Back in the console (restored from the refresh cookie), the board session can be ended.
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Queues' })).toBeVisible();
  expect((await page.request.get('/admin/queues/api/queues')).status()).toBe(200);
  await page.getByRole('button', { name: 'End board session' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'board session of this browser is closed' })).toBeVisible();
  expect((await page.request.get('/admin/queues/api/queues')).status()).toBe(401);
});

test('a viewer may not open the queue board nor manage API keys: said on the pages, refused by the API', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const viewer = await registerViewer(request, 'Queue viewer');
  await signIn(page, viewer.email, viewer.password);

  // Not in the menu; opened by its address, each page says why.
  await page.goto('/queues');
  await expect(page.getByRole('heading', { level: 1, name: 'Queues' })).toBeVisible();
  await expect(page.getByText('The queue board needs the queues:manage permission.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open queue board' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Task queue now' })).toHaveCount(0);
  await expectAccessible(page);

  await page.goto('/api-keys');
  await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(page.getByText(/needs the apikeys:manage permission, which your role \(viewer\)/)).toBeVisible();
  await expect(page.getByRole('button', { name: /New API key|Create a key/ })).toHaveCount(0);
  await expectAccessible(page);
  expect(csp).toEqual([]);

  const token = await apiToken(request, viewer.email, viewer.password);
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const board = await request.post('/api/v1/queues/board-session', auth);
  expect(board.status()).toBe(403);
  expect(((await board.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  expect((await request.get('/admin/queues', auth)).status()).toBe(403);
  expect(
    (await request.post('/api/v1/api-keys', { ...auth, data: { name: 'x', scopes: ['agents:read'] } })).status(),
  ).toBe(403);
});
