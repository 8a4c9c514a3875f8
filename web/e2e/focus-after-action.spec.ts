import { type Locator, expect, test } from '@playwright/test';
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

test('retrying a failed task by keyboard leaves focus on Cancel, which took Retry’s place', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`focus-retry-${unique()}`, 'calculator');
  made.agents.push(agent.id);
  const task = await admin.call<{ id: string }>(
    'post',
    '/api/v1/tasks',
    { agentId: agent.id, input: { expression: '1 / 0' }, maxAttempts: 1 },
    202,
  );
  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('failed', { timeout: 30_000 });
  // A paused agent starts nothing: the retried task stays queued, with Cancel in Retry's place.
  await admin.setAgentStatus(agent.id, 'paused');
  const retry = page.getByRole('button', { name: 'Retry' });
  await retry.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'The task is queued again.' })).toBeVisible();
  await expect(retry).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toBeFocused();
});

test('saving an agent’s settings by keyboard leaves focus on Save settings, unavailable until the next change', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`focus-settings-${unique()}`, 'calculator');
  made.agents.push(agent.id);
  await signIn(page);
  await page.goto(`/agents/${agent.id}`);
  const settings = page.getByRole('form', { name: 'Settings' });
  const save = settings.getByRole('button', { name: /^Save settings/ });
  await settings.getByRole('textbox', { name: 'Description' }).fill('Kept in focus');
  await save.focus();
  await page.keyboard.press('Enter');
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(save).toBeFocused();
  // It stays unavailable, saying why, until something is changed again.
  await expect(save).toBeDisabled();
  await expect(save).toHaveAccessibleName('Save settings (No setting is changed)');
  // Pressed again with nothing changed, it sends nothing and stays.
  await page.keyboard.press('Enter');
  await expect(save).toBeFocused();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
});

test('the configuration editor takes focus when opened by keyboard, and gives it back to its button when closed', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`focus-config-${unique()}`, 'calculator');
  made.agents.push(agent.id);
  await signIn(page);
  await page.goto(`/agents/${agent.id}`);
  const open = page.getByRole('button', { name: 'Edit configuration' });
  const editor = page.getByRole('region', { name: 'Edit configuration' });
  const precision = editor.getByRole('textbox', { name: 'Precision' });

  // Opened: its first field has the focus, where the button that opened it was.
  await open.focus();
  await page.keyboard.press('Enter');
  await expect(precision).toBeFocused();
  // Cancelled: back on the button.
  await editor.getByRole('button', { name: 'Cancel' }).focus();
  await page.keyboard.press('Enter');
  await expect(editor).toHaveCount(0);
  await expect(open).toBeFocused();

  // Saved: back on the button, the new version said beside it.
  await page.keyboard.press('Enter');
  await expect(precision).toBeFocused();
  await precision.fill('4');
  await editor.getByRole('button', { name: 'Save configuration' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version' })).toContainText('version 2');
  await expect(open).toBeFocused();
  await expect(page.locator('body')).not.toBeFocused();
});

/**
 * A submit that goes on to a new page takes its button away with the page: focus goes to the new page's
 * heading, where a keyboard or screen reader user carries on, not to the top of the document.
 */
test('after Create agent, Submit task, Save workflow and Start run, focus is on the new page’s heading', async ({
  page,
}) => {
  const stamp = unique();
  const heading = page.getByRole('heading', { level: 1 });
  const pressOn = async (button: Locator) => {
    await button.focus();
    await page.keyboard.press('Enter');
  };
  await signIn(page);

  await page.goto('/agents/new');
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'calculator' }).click();
  const name = `focus-new-${stamp}`;
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await pressOn(page.getByRole('button', { name: 'Create agent' }));
  await expect(heading).toHaveText(name);
  made.agents.push(page.url().split('/').pop() ?? '');
  await expect(heading).toBeFocused();

  await page.goto(`/tasks/new?agent=${made.agents.at(-1) ?? ''}`);
  await page.getByLabel('expression').fill('2 + 2');
  await pressOn(page.getByRole('button', { name: 'Submit task' }));
  await expect(heading).toHaveText(/^Task [0-9a-f]{8}$/);
  await expect(heading).toBeFocused();

  await page.goto('/workflows/new');
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(editor).toHaveValue(/"input": "\{\{ input \}\}"/);
  const text = (await editor.inputValue()).replace(/"agentId": "[^"]*"/, `"agentId": "${made.agents.at(-1) ?? ''}"`);
  await editor.fill(text.replace('My workflow', `Focus flow ${stamp}`));
  await pressOn(page.getByRole('button', { name: 'Save workflow' }));
  await expect(heading).toHaveText(`Focus flow ${stamp}`);
  made.workflows.push(page.url().split('/').pop() ?? '');
  await expect(heading).toBeFocused();

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Run Focus flow ${stamp}` });
  await pressOn(dialog.getByRole('button', { name: 'Start run' }));
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(heading).toHaveText(/^Run /);
  await expect(heading).toBeFocused();
  await expect(page.locator('body')).not.toBeFocused();
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
