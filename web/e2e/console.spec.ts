import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { ADMIN } from './global-setup';
import { apiToken, expectAccessible, previousStepCode, signIn, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

/** Every page, as a new platform shows it; the pages' own specs take their screenshots with data in them. */
const PAGES: { link: string; path: string; file?: string }[] = [
  { link: 'Overview', path: '/' },
  { link: 'Agents', path: '/agents', file: 'agents-empty' },
  { link: 'Tasks', path: '/tasks' },
  { link: 'Workflows', path: '/workflows' },
  { link: 'Approvals', path: '/approvals' },
  { link: 'Schedules', path: '/schedules' },
  { link: 'Webhooks', path: '/webhooks' },
  { link: 'Inbound hooks', path: '/hooks' },
  { link: 'Files', path: '/files' },
  { link: 'Bulk operations', path: '/bulk-operations' },
  { link: 'Audit', path: '/audit' },
  { link: 'Users', path: '/users' },
  { link: 'API keys', path: '/api-keys' },
  { link: 'Queues', path: '/queues' },
];

test('the start line names the console first', () => {
  const lines = (process.env.CONSOLE_START_OUTPUT ?? '').split('\n').filter((l) => l.trim());
  const first = lines.findIndex((l) => /^Console: http/.test(l));
  expect(first).toBeGreaterThanOrEqual(0);
  expect(lines.slice(first + 1).some((l) => /listening on http/.test(l))).toBe(true);
});

test('keyboard: the sign-in page starts in Email, and Tab reaches its controls in order, the show button included', async ({
  page,
}) => {
  await page.goto('/sign-in');
  // The page is its form: the email field has the focus from the start.
  await expect(page.getByRole('textbox', { name: 'Email' })).toBeFocused();
  const controls: [string, ReturnType<typeof page.getByRole>][] = [
    ['Email', page.getByRole('textbox', { name: 'Email' })],
    ['Password', page.getByRole('textbox', { name: 'Password' })],
    ['Show password', page.getByRole('button', { name: 'Toggle password visibility' })],
    ['Sign in', page.getByRole('button', { name: 'Sign in' })],
  ];
  const reached: string[] = ['Email'];
  for (let i = 0; i < 10 && reached.length < controls.length; i++) {
    await page.keyboard.press('Tab');
    for (const [name, control] of controls) {
      const focused = await control.evaluate((el) => el === document.activeElement);
      if (focused && !reached.includes(name)) reached.push(name);
    }
  }
  expect(reached).toEqual(['Email', 'Password', 'Show password', 'Sign in']);
  // Space on the show button shows the password, as a click does.
  await page.getByRole('textbox', { name: 'Password' }).fill('typed');
  await page.getByRole('button', { name: 'Toggle password visibility' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('textbox', { name: 'Password' })).toHaveAttribute('type', 'text');
});

test('a wrong password is said in words; the sign-in page is accessible', async ({ page }) => {
  const csp = watchCsp(page);
  await page.goto('/sign-in');
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-error.png') });
  expect(csp).toEqual([]);
});

test('a 429 says how long to wait, from Retry-After', async ({ page }) => {
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Retry-After': '42', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        status: 'error',
        error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded' },
        meta: { timestamp: new Date().toISOString(), requestId: 'r-429' },
      }),
    }),
  );
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Too many sign-in attempts. Try again in 42 seconds.');
});

test('signing in lands on Overview; every page is reachable, accessible and under the CSP', async ({ page }) => {
  const csp = watchCsp(page);
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(PAGES.map((p) => p.link));
  for (const { link, path, file } of PAGES) {
    await nav.getByRole('link', { name: link, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${path === '/' ? '/$' : path}$`));
    await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
    await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
    await expectAccessible(page);
    if (file) await page.screenshot({ path: join(SCREENSHOTS, `${file}.png`), fullPage: true });
  }
  expect(csp).toEqual([]);
});

test('the session survives a reload (refresh cookie), and the access token is in no web storage', async ({ page }) => {
  await signIn(page);
  const stored = await page.evaluate(() => [
    ...Object.keys(localStorage).map((k) => localStorage.getItem(k) ?? ''),
    ...Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? ''),
  ]);
  expect(stored.filter((v) => /eyJ|refresh|token/i.test(v))).toEqual([]);
  expect(await page.evaluate(() => document.cookie)).toBe('');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
});

test('a 401 refreshes once and retries the request', async ({ page }) => {
  await signIn(page);
  const refreshes: number[] = [];
  page.on('response', (res) => {
    if (res.url().endsWith('/api/v1/auth/refresh')) refreshes.push(res.status());
  });
  let refused = 0;
  await page.route('**/api/v1/agents?*', async (route) => {
    if (refused++ > 0) return route.fallback();
    return route.fulfill({
      status: 401,
      contentType: 'application/json',
      body: JSON.stringify({
        status: 'error',
        error: { code: 'UNAUTHENTICATED', message: 'Access token expired' },
        meta: { timestamp: new Date().toISOString(), requestId: 'r-401' },
      }),
    });
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'No agents yet' })).toBeVisible();
  expect(refused).toBe(2);
  expect(refreshes).toEqual([200]);
});

test('a failed refresh goes back to sign-in', async ({ page }) => {
  await signIn(page);
  await page.route('**/api/v1/agents?*', (route) =>
    route.fulfill({ status: 401, contentType: 'application/json', body: '{"status":"error","error":{}}' }),
  );
  await page.route('**/api/v1/auth/refresh', (route) =>
    route.fulfill({ status: 401, contentType: 'application/json', body: '{"status":"error","error":{}}' }),
  );
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a page load with no session to restore (a refresh answered 204) goes to sign-in and logs no error', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.route('**/api/v1/auth/refresh', (route) => route.fulfill({ status: 204 }));
  await page.goto('/workflows');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fworkflows$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('sign-out revokes the session', async ({ page }) => {
  await signIn(page);
  const logout = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/logout'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect((await logout).status()).toBe(204);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto('/agents');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fagents$/);
  const refresh = await page.request.post('/api/v1/auth/refresh', {
    data: {},
    headers: { 'X-Requested-With': 'ymera' },
  });
  expect(refresh.status()).toBeGreaterThanOrEqual(400);
});

test('signing out by hand goes to the plain sign-in page, not back to the page left', async ({ page }) => {
  await signIn(page);
  await page.goto('/tasks/new');
  await expect(page.getByRole('heading', { level: 1, name: 'New task' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('signing out in one tab signs out the others at once; signing in again brings them back', async ({
  page,
  context,
}) => {
  await signIn(page);
  await page.goto('/agents');
  const other = await context.newPage();
  await other.goto('/agents/new');
  await expect(other.getByRole('heading', { level: 1, name: 'New agent' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // The other tab's form can send nothing more: it is at the sign-in page, its access token dropped.
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(other.getByRole('heading', { level: 1, name: 'New agent' })).toHaveCount(0);

  await signIn(page);
  await expect(other.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await other.close();
});

test('signing in with MFA asks for the code', async ({ page, request }) => {
  const email = `mfa-${Date.now()}@console.test`;
  const password = 'a-long-password-for-mfa';
  expect((await request.post('/api/v1/auth/register', { data: { email, password, name: 'MFA user' } })).status()).toBe(
    201,
  );
  const token = await apiToken(request, email, password);
  const auth = { Authorization: `Bearer ${token}` };
  const setup = await request.post('/api/v1/auth/mfa/setup', { headers: auth });
  const { secret } = ((await setup.json()) as { data: { secret: string } }).data;
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  // Enabled with the previous step's code, so the current one is still unspent for signing in.
  const enable = await request.post('/api/v1/auth/mfa/enable', {
    headers: auth,
    data: { code: await previousStepCode(totp) },
  });
  expect(enable.status()).toBe(200);

  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('two-factor');
  await expect(page.getByLabel('Code')).toBeFocused();
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-mfa.png') });
  await page.getByLabel('Code').fill(totp.generate());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  // Not an admin: no Users link.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
});

test('a deep link serves the console (SPA fallback)', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') warnings.push(message.text());
  });
  const res = await page.goto('/tasks/123');
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-type']).toMatch(/text\/html/);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/tasks\/123$/);
  // `123` names no task (an id is a UUID): the task page says so under its plain title.
  await expect(page.getByRole('heading', { level: 1, name: 'Task', exact: true })).toBeVisible();
  // The first load, its pages' code loaded late included, warns of nothing (the API refusing `123` as a task id,
  // which the browser logs as a failed resource, aside).
  expect(
    warnings.filter((text) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)),
  ).toEqual([]);
});

test('API 404s stay enveloped JSON; docs and health keep their behaviour', async ({ request }) => {
  for (const path of ['/api/v1/nope', '/api/nope', '/api']) {
    const res = await request.get(path);
    expect(res.status()).toBe(404);
    expect(res.headers()['content-type']).toMatch(/application\/json/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  }
  expect((await request.get('/docs-json')).headers()['content-type']).toMatch(/application\/json/);
  expect((await request.get('/health/live')).status()).toBe(200);
  const asset = await request.get('/assets/missing-123.js');
  expect(asset.status()).toBe(404);
});
