import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const created = deleteAfterAll();

test('failed tasks of an agent are retried in bulk: the count first, then the operation succeeds', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`bulk-calc-${Date.now().toString(36)}`, 'calculator');
  created.agents.push(agent.id);
  for (let i = 0; i < 3; i += 1) await admin.createTask(agent.id, { expression: '1 / 0' });
  await expect
    .poll(
      async () =>
        (await admin.call<unknown[]>('get', `/api/v1/tasks?agentId=${agent.id}&status=failed`, undefined, 200)).length,
    )
    .toBe(3);

  await signIn(page);
  await page.goto(`/tasks?status=failed&agent=${agent.id}&errorCode=DIVISION_BY_ZERO`);
  await expect(page.getByLabel('Error code')).toHaveValue('DIVISION_BY_ZERO');
  await expect(page.getByRole('table', { name: 'Tasks' }).getByRole('row')).toHaveCount(4);
  // Failed tasks cannot be cancelled: only the retry is offered.
  await expect(page.getByRole('button', { name: 'Cancel all matching…' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Retry all matching…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry all matching tasks' });
  await expect(dialog.getByText('3 tasks match.')).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Retry 3 tasks' }).click();
  await expect(dialog).toHaveCount(0);
  const started = page.getByRole('status').filter({ hasText: 'Bulk operation started' });
  await expect(started).toBeVisible();
  await expect(started.getByText('succeeded')).toBeVisible();
  await expect(started.getByText('3 of 3 (100%)')).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk operations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Bulk operations' })).toBeVisible();
  const row = page.getByRole('table', { name: 'Bulk operations' }).getByRole('row').nth(1);
  await expect(row).toContainText('Retry tasks');
  await expect(row).toContainText('succeeded');
  await expect(row.getByRole('progressbar')).toBeVisible();
  await expectAccessible(page);
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: /^Retry tasks / })).toBeVisible();
  await expect(page.getByText('3 matched · 3 changed')).toBeVisible();
  expect(csp).toEqual([]);
});

test('a bulk retry filtered by status only asks for the "all" confirmation the server requires', async ({ page }) => {
  await signIn(page);
  await page.goto('/tasks?status=failed');
  await page.getByRole('button', { name: 'Retry all matching…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry all matching tasks' });
  await expect(dialog.getByRole('alert').filter({ hasText: 'This filter narrows by status only' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Retry', exact: true })).toBeDisabled();
  await dialog.getByRole('checkbox', { name: 'Yes, retry all of them' }).check();
  await expect(dialog.getByText(/\d+ tasks? match/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Retry all matching…' })).toBeFocused();
});

test('the failed runs of a workflow are retried in bulk from its page', async ({ page, request }) => {
  const admin = await apiAs(request);
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: `Bulk runs ${Date.now().toString(36)}`, steps: [{ id: 'gate', kind: 'approval' }] },
    201,
  );
  created.workflows.push(workflow.id);
  const run = await admin.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);
  await admin.call('post', `/api/v1/workflow-runs/${run.id}/steps/gate/reject`, {}, 200);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  await page.getByRole('button', { name: 'Retry all failed runs…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry all matching workflow runs' });
  await expect(dialog.getByText('1 run matches.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Retry 1 run' }).click();
  const started = page.getByRole('status').filter({ hasText: 'Bulk operation started' });
  await expect(started.getByText('succeeded')).toBeVisible();
  const again = await admin.call<{ status: string }>('get', `/api/v1/workflow-runs/${run.id}`, undefined, 200);
  expect(again.status).toBe('running');
});

test('a viewer is offered no bulk action and sees the Bulk operations page read-only', async ({ page, request }) => {
  const stamp = Date.now().toString(36);
  const email = `bulk-viewer-${stamp}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  const res = await request.post('/api/v1/auth/register', { data: { email, password, name: 'Viewer' } });
  expect(res.status(), await res.text()).toBe(201);

  await signIn(page, email, password);
  await page.goto('/tasks?status=failed');
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  await expect(page.getByRole('button', { name: /all matching/ })).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk operations' }).click();
  await expect(page.getByRole('heading', { name: 'No bulk operations yet' })).toBeVisible();
  await expectAccessible(page);
});
