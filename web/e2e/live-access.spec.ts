import { expect, test } from '@playwright/test';
import { apiAs, signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

test('the console of a user whose role changes is signed out at once, by its live connection', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = Date.now();
  const email = `live-${stamp}@console.test`;
  const password = 'password-of-a-live-user';
  const user = await admin.call<{ id: string }>(
    'post',
    '/api/v1/users',
    { email, name: `Live ${stamp}`, password, role: 'operator' },
    201,
  );

  // A task of their own that waits (its agent paused), which the Tasks page follows live.
  const own = await apiAs(request, email, password);
  const agent = await own.createAgent(`live-${stamp}`, 'calculator');
  await own.setAgentStatus(agent.id, 'paused');
  await own.createTask(agent.id, { expression: '1 + 2' });

  await signIn(page, email, password);
  // One Socket.IO connection for the console, opened by the first page that follows something live.
  const connected = page.waitForEvent('websocket');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  const first = await connected;

  // A role change ends the user's sessions: the server ends the live connection at once (the page makes no
  // request of its own), the refresh is refused, and the console goes back to its sign-in page.
  // Waited for from before the change: the server may end the connection before the change's answer comes.
  const closed = first.waitForEvent('close');
  await admin.call('patch', `/api/v1/users/${user.id}`, { role: 'viewer' }, 200);
  await closed;
  await expect(page.getByRole('heading', { name: 'Sign in to YMERA' })).toBeVisible();
  await admin.deleteAgent(agent.id).catch(() => undefined);
});
