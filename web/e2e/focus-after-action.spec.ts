import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn, unique } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/**
 * A keyboard user keeps their place when the button they used goes away with what it did: focus moves to the
 * button that takes its place, or to the item it acted on, never back to the start of the page.
 */
test('cancelling a queued task by keyboard leaves focus on Retry, which took Cancel’s place', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`focus-cancel-${unique()}`, 'calculator');
  made.agents.push(agent.id);
  // A paused agent starts nothing: the task stays queued.
  await admin.setAgentStatus(agent.id, 'paused');
  const task = await admin.createTask(agent.id, { expression: '1+1' });

  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
  await cancel.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Cancel' });
  await dialog.getByRole('button', { name: 'Cancel the task' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'The task was cancelled.' })).toBeVisible();
  await expect(cancel).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Retry' })).toBeFocused();
});

test('approving a step by keyboard leaves focus on the step, its buttons gone', async ({ page, request }) => {
  const admin = await apiAs(request);
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: `Focus flow ${unique()}`, steps: [{ id: 'gate', kind: 'approval', timeoutMs: 3_600_000 }] },
    201,
  );
  made.workflows.push(workflow.id);
  const run = await admin.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
  const gate = page.locator('li[data-step="gate"]');
  await gate.getByRole('button', { name: 'Approve' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Approve step gate' });
  await dialog.getByRole('button', { name: 'Approve' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(gate.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(gate.getByText('Step gate', { exact: true })).toBeFocused();
  await expect(page.locator('body')).not.toBeFocused();
});

/** Keyboard focus on a form control is a 2px outline in the primary blue, as on links and buttons. */
test('a select, a text field and a searchable select show keyboard focus as a 2px outline', async ({ page }) => {
  await signIn(page);
  await page.goto('/tasks');
  const filters = page.getByRole('search', { name: 'Filter tasks' });
  await expect(filters.getByLabel('Status')).toBeVisible();
  const outline = (name: string) =>
    page.evaluate((label) => {
      const style = getComputedStyle(document.activeElement ?? document.body);
      return { label, style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
    }, name);

  // "/" focuses the first filter; Tab goes on to the next fields.
  await page.keyboard.press('/');
  await expect(filters.getByLabel('Status')).toBeFocused();
  const focusRing = { style: 'solid', width: '2px', color: 'rgb(25, 113, 194)' };
  expect(await outline('Status')).toEqual({ label: 'Status', ...focusRing });
  await filters.getByRole('textbox', { name: 'Tag' }).focus();
  expect(await outline('Tag')).toEqual({ label: 'Tag', ...focusRing });

  await page.goto('/agents/new');
  await page.getByRole('textbox', { name: 'Name' }).focus();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('combobox', { name: 'Type' })).toBeFocused();
  expect(await outline('Type')).toEqual({ label: 'Type', ...focusRing });
});
