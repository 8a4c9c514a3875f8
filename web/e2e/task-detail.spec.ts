import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/** A port nothing listens on: a connection to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a failed task says it has no output because it failed, and points at its error', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`refused-${Date.now()}`, 'http', {
    url: `http://127.0.0.1:${await closedPort()}/nothing`,
  });
  made.agents.push(agent.id);
  const task = await admin.call<{ id: string }>(
    'post',
    '/api/v1/tasks',
    { agentId: agent.id, input: {}, maxAttempts: 1 },
    202,
  );

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('failed', { timeout: 30_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'Error' })).toBeVisible();
  await expect(page.getByText('No output: the task failed: see the error above.')).toBeVisible();
  await expect(page.getByText('No output yet.')).toHaveCount(0);
  // It failed before any progress: no 0 % bar, here or in the list.
  await expect(page.getByRole('progressbar', { name: 'Progress' })).toHaveCount(0);
  await expect(page.getByText('No progress', { exact: true })).toBeVisible();
  await page.goto(`/tasks?agent=${agent.id}`);
  await expect(page.getByRole('link', { name: `Task ${task.id}` })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: `Progress of task ${task.id.slice(0, 8)}` })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: task.id.slice(0, 8) })).toContainText('No progress');
});

test('a retried task counts its new run from the retry, and its page follows it to its end again', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`zero-${Date.now()}`, 'calculator', {});
  made.agents.push(agent.id);
  const task = await admin.call<{ id: string }>(
    'post',
    '/api/v1/tasks',
    { agentId: agent.id, input: { expression: '1 / 0' }, maxAttempts: 2 },
    202,
  );

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  const status = page.getByRole('group', { name: 'Task status' });
  await expect(status).toContainText('failed', { timeout: 30_000 });
  // A failure no attempt can mend ends the run at its first attempt: no "of 2" promising another.
  await expect(page.getByText(/· 1 attempt ·/)).toBeVisible();
  await expect(page.getByText(/· finished /)).toBeVisible();

  await page.getByRole('button', { name: 'Retry' }).click();
  // The retry's own word stays only while the task is where the retry left it; the new run ends as the first.
  await expect(status).toContainText('failed', { timeout: 30_000 });
  await expect(page.getByText(/· 1 attempt \(2 in all\) ·/)).toBeVisible();
  await expect(page.getByText(/· finished /)).toBeVisible();
  await expect(page.getByText('The task is queued again.')).toHaveCount(0);
  await expect(page.getByText(/attempt \d+ of 2/)).toHaveCount(0);
});

test('a task that does not exist is said so, without offering to try again', async ({ page }) => {
  await signIn(page);
  await page.goto('/tasks/5f0c8a52-1111-4111-8111-111111111111');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Could not load this task');
  await expect(alert).toContainText('NOT_FOUND');
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
});

test('an address that names no task id is refused as it is: no id cut from it, nothing to try again', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/tasks/not-a-task-id');
  await expect(page.getByRole('heading', { level: 1, name: 'Task', exact: true })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Could not load this task');
  await expect(page.getByRole('alert')).toContainText(/BAD_REQUEST|VALIDATION_FAILED/);
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
});

test('a task waiting for its paused agent says so, and that no worker runs when none does', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const name = `paused-${Date.now()}`;
  const agent = await admin.createAgent(name, 'calculator');
  made.agents.push(agent.id);
  await admin.setAgentStatus(agent.id, 'paused');
  const task = await admin.createTask(agent.id, { expression: '2 + 3' });

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  const attempts = page.getByRole('region', { name: 'Attempts' });
  await expect(attempts).toContainText(
    `No attempt yet: agent ${name} is paused; the task waits until the agent is resumed.`,
  );
  await expect(attempts.getByRole('link', { name })).toHaveAttribute('href', `/agents/${agent.id}`);
  // The test server runs a worker: nothing is said of workers, nor that the task merely waits for one.
  await expect(attempts).not.toContainText('worker');

  // With no worker connected to the task queue (as the system's own answer says), the page says that too.
  await page.route('**/api/v1/system/info', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { data: { workers: number } };
    await route.fulfill({ response, json: { ...body, data: { ...body.data, workers: 0 } } });
  });
  await page.reload();
  await expect(attempts).toContainText(`agent ${name} is paused`);
  await expect(attempts).toContainText('No worker is running (none is connected to the task queue)');

  // Resumed, the agent runs the task: its attempt replaces the explanation.
  await page.unroute('**/api/v1/system/info');
  await admin.setAgentStatus(agent.id, 'active');
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('succeeded', { timeout: 30_000 });
  await expect(attempts).toContainText('Attempt 1');
  await expect(attempts).not.toContainText('No attempt');
});

test('a task sent to start later says when it may start, not that it waits for a worker', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`later-${Date.now()}`, 'calculator');
  made.agents.push(agent.id);
  const runAt = new Date(Date.now() + 3_600_000).toISOString();
  const task = await admin.call<{ id: string }>(
    'post',
    '/api/v1/tasks',
    { agentId: agent.id, input: { expression: '6 * 7' }, runAt },
    202,
  );

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  const attempts = page.getByRole('region', { name: 'Attempts' });
  await expect(attempts).toContainText('No attempt yet: the task was sent to start no earlier than');
  await expect(attempts.locator('time').first()).toHaveAttribute('dateTime', runAt);
  await expect(attempts).toContainText(/\(in (60 min|1 hr)\.\)/);
  await expect(attempts).not.toContainText('waiting for a worker');
  // Cancelled before its time, it says it ended before a worker took it.
  await admin.call('post', `/api/v1/tasks/${task.id}/cancel`, {}, 200);
  await expect(attempts).toContainText('No attempt: the task was cancelled before a worker took it.');
});

test("a task's tags are shown on its page as they were given, each leading to the tasks that carry it", async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`tagged-${Date.now()}`, 'calculator');
  made.agents.push(agent.id);
  const tags = ['Nightly', 'team:data/etl-2'];
  const task = await admin.call<{ id: string }>(
    'post',
    '/api/v1/tasks',
    { agentId: agent.id, input: { expression: '6 * 7' }, tags, runAt: new Date(Date.now() + 3_600_000).toISOString() },
    202,
  );

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  const list = page.getByRole('list', { name: 'Tags' });
  await expect(list.getByRole('listitem')).toHaveText(tags);
  const link = list.getByRole('link', { name: 'Tasks tagged team:data/etl-2' });
  await link.click();
  await expect(page).toHaveURL(/\/tasks\?tag=team%3Adata%2Fetl-2$/);
  await expect(page.getByRole('link', { name: `Task ${task.id}` })).toBeVisible();
});
