import { type APIRequestContext, type BrowserContext, type Page, type Route, expect, test } from '@playwright/test';
import { apiAs, signIn, unique } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const overview = (page: Page) => page.getByRole('heading', { level: 1, name: 'Overview' });
const signInButton = (page: Page) => page.getByRole('button', { name: 'Sign in' });

/**
 * Two tabs of one browser, signed in (the second from the refresh cookie they share), every refresh they send
 * from now on, by its answer's status, and when they were opened (for {@link expectSessionIntact}).
 */
async function twoTabs(
  context: BrowserContext,
  page: Page,
): Promise<{ tabs: Page[]; refreshes: number[]; since: string }> {
  const since = new Date().toISOString();
  await signIn(page);
  const other = await context.newPage();
  await other.goto('/');
  await expect(overview(other)).toBeVisible();
  const refreshes: number[] = [];
  for (const tab of [page, other]) {
    tab.on('response', (res) => {
      if (res.url().endsWith('/api/v1/auth/refresh')) refreshes.push(res.status());
    });
  }
  return { tabs: [page, other], refreshes, since };
}

/** The session still holds on the server: the newest cookie refreshes, and no token family was revoked. */
async function expectSessionIntact(context: BrowserContext, request: APIRequestContext, since: string) {
  const refresh = await context.request.post('/api/v1/auth/refresh', {
    data: { useCookie: true },
    headers: { 'X-Requested-With': 'ymera' },
  });
  expect(refresh.status()).toBe(200);
  const admin = await apiAs(request);
  const reuses = await admin.call<unknown[]>(
    'get',
    `/api/v1/audit-logs?action=auth.refresh_reuse&from=${encodeURIComponent(since)}`,
    undefined,
    200,
  );
  expect(reuses).toEqual([]);
}

test('two tabs reloaded at the same moment both stay signed in: the refresh cookie is never spent twice', async ({
  context,
  page,
  request,
}) => {
  const { tabs, refreshes, since } = await twoTabs(context, page);
  const rounds = 6;
  for (let round = 0; round < rounds; round++) {
    await Promise.all(tabs.map((tab) => tab.reload()));
    for (const tab of tabs) await expect(overview(tab).or(signInButton(tab))).toBeVisible();
    // Without turns, one tab's 200 and the other's 401 (its spent cookie revoked the family): both signed out.
    expect(refreshes.filter((status) => status !== 200)).toEqual([]);
    for (const tab of tabs) await expect(overview(tab)).toBeVisible();
  }
  expect(refreshes.length).toBeGreaterThanOrEqual(2 * rounds);
  await expectSessionIntact(context, request, since);
});

test('two tabs whose access tokens expire at the same moment both refresh and stay signed in', async ({
  context,
  page,
  request,
}) => {
  const { tabs, refreshes, since } = await twoTabs(context, page);
  for (const tab of tabs) {
    let refused = false;
    await tab.route('**/api/v1/agents?*', (route) => {
      if (refused) return route.fallback();
      refused = true;
      return route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ status: 'error', error: { code: 'UNAUTHENTICATED', message: 'Access token expired' } }),
      });
    });
  }
  // The first refresh is held until the other tab wants one too: its own request (sent at once, spending the same
  // cookie), or its turn asked for under the lock the console takes (seen in the origin's pending locks).
  const held: Route[] = [];
  let released = false;
  for (const tab of tabs) {
    await tab.route('**/api/v1/auth/refresh', (route) => (released ? route.fallback() : void held.push(route)));
  }
  await Promise.all(
    tabs.map((tab) => tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click()),
  );
  const otherWaits = () =>
    page.evaluate(async () => ((await navigator.locks.query()).pending ?? []).some((l) => l.name === 'ymera:refresh'));
  await expect.poll(async () => held.length === 2 || (held.length === 1 && (await otherWaits()))).toBe(true);
  released = true;
  await Promise.all(held.map((route) => route.fallback()));
  await expect.poll(() => refreshes.length).toBe(2);
  expect(refreshes).toEqual([200, 200]);
  for (const tab of tabs) {
    await expect(tab.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
    await expect(signInButton(tab)).toHaveCount(0);
  }
  await expectSessionIntact(context, request, since);
});

test('a session ended elsewhere is said on the sign-in page; a first visit and a sign-out say nothing', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const user = { email: `ended-${unique()}@console.test`, password: 'a-password-before-the-reset' };
  const created = await admin.call<{ id: string }>(
    'post',
    '/api/v1/users',
    { ...user, name: 'Ended Session', role: 'operator' },
    201,
  );
  const notice = page.getByText(
    'Your session ended: it expired, or it was ended elsewhere (a sign-out, a new password, a change of role or account). Sign in again.',
  );

  // A first visit: the sign-in form alone.
  await page.goto('/agents');
  await expect(signInButton(page)).toBeVisible();
  await expect(notice).toHaveCount(0);

  // Signed in, then an admin sets a new password: the console ends on the sign-in page, which says why. It learns
  // it from its live connection, which the server closes at once, or else from the next page opened: the link
  // may be gone before it can be clicked.
  await signIn(page, user.email, user.password);
  await admin.call('post', `/api/v1/users/${created.id}/password`, { password: 'a-password-after-the-reset' }, 204);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Agents' })
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await expect(notice).toBeVisible();
  await expect(signInButton(page)).toBeVisible();

  // Signed in again, then out by their own hand: nothing to say.
  await signIn(page, user.email, 'a-password-after-the-reset');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(signInButton(page)).toBeVisible();
  await expect(notice).toHaveCount(0);

  // Ended while no page was open: the next page loaded finds its refresh cookie refused, and says so.
  await signIn(page, user.email, 'a-password-after-the-reset');
  await page.goto('about:blank');
  await admin.call('post', `/api/v1/users/${created.id}/password`, { password: 'a-third-password-for-tests' }, 204);
  await page.goto('/agents');
  await expect(notice).toBeVisible();
  await expect(signInButton(page)).toBeVisible();
});
