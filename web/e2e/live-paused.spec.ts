import { type Page, type WebSocketRoute, expect, test } from '@playwright/test';
import { apiWithAgent, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/**
 * The console's live connection (Socket.IO over a WebSocket), passed through to the server while `up`, cut and
 * refused while not: as when the platform, or the network to it, is away.
 */
async function liveConnection(page: Page) {
  const state = { up: true, opened: 0, acknowledged: 0 };
  const open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (!state.up) return ws.close({ code: 1011, reason: 'unavailable' });
    const server = ws.connectToServer();
    // Passed on as they come, counting the server's acknowledgements (`43/events,…`: subscriptions made).
    server.onMessage((message) => {
      if (typeof message === 'string' && message.startsWith('43/events,')) state.acknowledged += 1;
      ws.send(message);
    });
    const pair = { page: ws, server };
    open.add(pair);
    ws.onClose(() => open.delete(pair));
    state.opened += 1;
  });
  return {
    state,
    /** Cuts the connections there are, and refuses the next ones. */
    async cut() {
      state.up = false;
      for (const pair of [...open]) {
        await pair.server.close();
        await pair.page.close({ code: 1011, reason: 'unavailable' });
      }
      open.clear();
    },
    /** Lets connections through again (Socket.IO connects again by itself). */
    restore() {
      state.up = true;
    },
    /** Sends the page what the server sends when its Redis came back: events may have been missed. */
    resync() {
      for (const pair of open) pair.page.send('42/events,["resync",{}]');
    },
  };
}

const notice = (page: Page) => page.getByRole('status').filter({ hasText: /Live updates/ });

test('a list whose live connection is lost says its updates are paused, and catches up once it is back', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { api, agent } = await apiWithAgent(request, made, 'paused-live');
  const first = await api.createTask(agent.id, { expression: '1 + 1' });
  const live = await liveConnection(page);
  await signIn(page);
  await page.goto(`/tasks?agent=${agent.id}`);
  const rows = page.getByRole('table', { name: 'Tasks' }).getByRole('row');
  await expect(page.getByRole('link', { name: `Task ${first.id}` })).toBeVisible();
  await expect.poll(() => live.state.opened).toBe(1);
  // The first connect of the page says nothing, however it goes.
  await page.waitForTimeout(2_000);
  await expect(notice(page)).toHaveCount(0);

  await live.cut();
  const paused = notice(page);
  await expect(paused).toContainText('Live updates paused');
  await expect(paused).toContainText(
    /The live connection was lost at \d\d:\d\d:\d\d: reconnecting… The list may be out of date\./,
  );
  await expectAccessible(page);
  // Created while the page hears nothing: not in the list yet.
  const second = await api.createTask(agent.id, { expression: '2 + 2' });
  await page.waitForTimeout(1_000);
  await expect(page.getByRole('link', { name: `Task ${second.id}` })).toHaveCount(0);
  await expect(paused).toContainText('reconnecting…');

  // Back: the list is read again, the notice goes. Socket.IO tries again less and less often (up to 7.5 s apart),
  // and gives a connection closed in its handshake (as the refusals here are) 5 s: both may pass first.
  live.restore();
  await expect(page.getByRole('link', { name: `Task ${second.id}` })).toBeVisible({ timeout: 30_000 });
  await expect(notice(page)).toHaveCount(0);
  await expect(rows).toHaveCount(3);

  // Live again: a task created now comes in by itself.
  const third = await api.createTask(agent.id, { expression: '3 + 3' });
  await expect(page.getByRole('link', { name: `Task ${third.id}` })).toBeVisible();
  await expect(notice(page)).toHaveCount(0);
  expect(csp).toEqual([]);
});

test('events missed by the server pause the list until it is read again', async ({ page, request }) => {
  const { api, agent } = await apiWithAgent(request, made, 'resync-live');
  await api.createTask(agent.id, { expression: '1 + 1' });
  const live = await liveConnection(page);
  await signIn(page);
  await page.goto(`/tasks?agent=${agent.id}`);
  await expect(page.getByRole('table', { name: 'Tasks' }).getByRole('row')).toHaveCount(2);
  // Subscribed (what the server says is for the page's own connection, not one still being made).
  await expect.poll(() => live.state.acknowledged).toBeGreaterThan(0);

  // The server's Redis came back (events made meanwhile reached no one): reading the list again is slow.
  const missed = await api.createTask(agent.id, { expression: '2 + 2' });
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/api\/v1\/tasks\?/, async (route) => {
    await released;
    await route.fallback();
  });
  live.resync();
  await expect(notice(page)).toContainText(
    'Some live updates were missed: reading the latest… The list may be out of date.',
  );
  release();
  await expect(page.getByRole('link', { name: `Task ${missed.id}` })).toBeVisible();
  await expect(notice(page)).toHaveCount(0);
});

test('a task whose live connection cannot be made says so after a few seconds, and not once it is made', async ({
  page,
  request,
}) => {
  const { api, agent } = await apiWithAgent(request, made, 'never-live');
  // A task that waits (its agent paused): its page follows it live.
  await api.setAgentStatus(agent.id, 'paused');
  const task = await api.createTask(agent.id, { expression: '1 + 2' });
  const live = await liveConnection(page);
  await signIn(page);
  live.state.up = false;
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Task ${task.id.slice(0, 8)}` })).toBeVisible();
  // Not at once: a first connect takes a moment.
  await expect(notice(page)).toHaveCount(0);
  const paused = notice(page);
  await expect(paused).toContainText('Live updates not available', { timeout: 15_000 });
  await expect(paused).toContainText('Connecting… This task may be out of date.');
  await expectAccessible(page);

  live.restore();
  await expect(notice(page)).toHaveCount(0, { timeout: 30_000 });
  // Live now: the task starts once its agent is resumed, and the page shows it by itself.
  await api.setAgentStatus(agent.id, 'active');
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('succeeded');
});
