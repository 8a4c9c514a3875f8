import { type APIRequestContext, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiAs, deleteAfterAll, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

async function newOperator(request: APIRequestContext): Promise<{ email: string; password: string }> {
  const admin = await apiAs(request, ADMIN.email, ADMIN.password);
  const user = { email: `inbound-${unique()}@console.test`, password: 'an-operator-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name: 'Hook operator', role: 'operator' }, 201);
  return user;
}

test('an operator adds an inbound hook: its token shown once, called from outside, disabled, edited, deleted', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const user = await newOperator(request);
  const operator = await apiAs(request, user.email, user.password);
  const agentName = `hooked-${unique()}`;
  const agent = await operator.createAgent(agentName, 'calculator');
  made.agents.push(agent.id);
  const name = `CI deploys ${unique()}`;

  await signIn(page, user.email, user.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbound hooks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbound hooks' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No inbound hooks that you can see yet' })).toBeVisible();
  await expect(page.getByText('You see the inbound hooks you added; admins see every inbound hook.')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'New hook' }).click();
  const dialog = page.getByRole('dialog', { name: 'New inbound hook' });
  // Nothing chosen: said on the fields before anything is sent.
  await dialog.getByRole('button', { name: 'Create hook' }).click();
  await expect(dialog.getByText('Give it a name')).toBeVisible();
  await expect(dialog.getByText('Choose an agent')).toHaveCount(2);
  await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
  await dialog.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${agentName} (calculator)` });
  await dialog.getByRole('radio', { name: 'A bearer token' }).check();
  // A template the server refuses lands on its field.
  const template = dialog.getByRole('textbox', { name: /Input template/ });
  await template.fill('{"expression": "{{ body.( }}"}');
  await dialog.getByRole('button', { name: 'Create hook' }).click();
  await expect(template).toHaveAccessibleDescription(/\/expression/);
  await template.fill('{"expression": "{{ body.n }} * 2"}');
  await dialog.getByRole('button', { name: 'Create hook' }).click();
  await expect(dialog).toHaveCount(0);

  // The token, this once, with how to call the hook.
  const box = page.getByRole('region', { name: 'Copy the token now' });
  const tokenField = box.getByRole('textbox', { name: `Token of ${name}` });
  await expect(tokenField).toHaveValue(/^ymh_[A-Za-z0-9_-]{43}$/);
  const token = await tokenField.inputValue();
  await expect(box).toContainText('Authorization: Bearer <token>');
  await expectAccessible(page);
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(`agent ${agentName}`);
  await expect(row).toContainText('bearer token');
  await expect(row).toContainText('enabled');
  const path = await row.locator('code').innerText();
  await box.getByRole('button', { name: 'Done, I have stored it' }).click();
  await page.reload();
  expect(await page.content()).not.toContain(token);

  // An outside system calls it: a task of the agent, its input from the template.
  const call = () => request.post(path, { headers: { Authorization: `Bearer ${token}` }, data: { n: 21 } });
  const started = await call();
  expect(started.status()).toBe(202);
  const { taskId } = ((await started.json()) as { data: { taskId: string } }).data;
  const task = await operator.call<{ input: unknown }>('get', `/api/v1/tasks/${taskId}`, undefined, 200);
  expect(task.input).toEqual({ expression: '21 * 2' });

  // Disabled: its calls are refused until enabled.
  await row.getByRole('button', { name: `Disable ${name}` }).click();
  await expect(row).toContainText('disabled');
  expect((await call()).status()).toBe(409);
  await row.getByRole('button', { name: `Enable ${name}` }).click();
  await expect(row).toContainText('enabled');

  // Edited: its target and kind of secret stay fixed.
  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const edit = page.getByRole('dialog', { name: 'Edit inbound hook' });
  await expect(edit.getByRole('combobox', { name: 'Agent' })).toBeDisabled();
  await expect(edit.getByRole('radio', { name: 'A bearer token' })).toBeDisabled();
  await edit.getByRole('textbox', { name: 'Calls per minute at most' }).fill('5');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  await expect(row).toContainText('at most 5 a minute');
  // Focus is back on the row's Edit, not lost to the page or sent to the top; so after Escape.
  await expect(row.getByRole('button', { name: `Edit ${name}` })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(edit).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(edit).toHaveCount(0);
  await expect(row.getByRole('button', { name: `Edit ${name}` })).toBeFocused();

  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await page
    .getByRole('dialog', { name: `Delete ${name}` })
    .getByRole('button', { name: 'Delete the hook' })
    .click();
  await expect(page.getByRole('heading', { name: 'No inbound hooks that you can see yet' })).toBeVisible();
  expect((await call()).status()).toBe(401);
  expect(csp).toEqual([]);
});

test('the hook dialog asks before Escape or Cancel discards what was typed', async ({ page, request }) => {
  const user = await newOperator(request);
  const operator = await apiAs(request, user.email, user.password);
  const agentName = `unsaved-${unique()}`;
  const agent = await operator.createAgent(agentName, 'calculator');
  made.agents.push(agent.id);
  const saved = `Saved hook ${unique()}`;
  const hook = await operator.call<{ id: string }>(
    'post',
    '/api/v1/hooks',
    { name: saved, target: { agentId: agent.id }, auth: 'hmac' },
    201,
  );

  await signIn(page, user.email, user.password);
  await page.goto('/hooks');
  await expect(page.getByRole('heading', { level: 1, name: 'Inbound hooks' })).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(saved) });
  await expect(row).toBeVisible();
  const dialog = page.getByRole('dialog', { name: 'New inbound hook' });
  const question = page.getByRole('dialog', { name: 'Close without saving?' });

  // Nothing typed: Escape closes it at once; so it does an opened and unchanged hook.
  await page.getByRole('button', { name: 'New hook' }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await row.getByRole('button', { name: `Edit ${saved}` }).click();
  const edit = page.getByRole('dialog', { name: 'Edit inbound hook' });
  await expect(edit).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(edit).toHaveCount(0);
  await expect(question).toHaveCount(0);

  // Something typed: Escape asks, naming what would be lost; "Keep editing" keeps it all, the focus back in place.
  await page.getByRole('button', { name: 'New hook' }).click();
  const name = dialog.getByRole('textbox', { name: 'Name' });
  await name.fill('Half-typed hook');
  const template = dialog.getByRole('textbox', { name: /Input template/ });
  await template.fill('{"expression": "{{ body.n }}"}');
  await page.keyboard.press('Escape');
  await expect(question).toContainText('The new hook is not saved: closing the dialog discards it.');
  await expect(dialog).toBeAttached();
  await expectAccessible(page);
  await question.getByRole('button', { name: 'Keep editing' }).click();
  await expect(question).toHaveCount(0);
  await expect(dialog).toBeVisible();
  await expect(template).toBeFocused();
  await expect(name).toHaveValue('Half-typed hook');
  await expect(template).toHaveValue('{"expression": "{{ body.n }}"}');

  // Cancel asks too; "Discard and close" closes it, nothing saved, and the next one starts empty.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(question).toBeVisible();
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(question).toHaveCount(0);
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('row', { name: /Half-typed hook/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'New hook' }).click();
  await expect(name).toHaveValue('');

  // A change to a hook is named when asked about.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await row.getByRole('button', { name: `Edit ${saved}` }).click();
  await edit.getByRole('textbox', { name: 'Calls per minute at most' }).fill('7');
  await page.keyboard.press('Escape');
  await expect(question).toContainText(`The change to “${saved}” is not saved`);
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(edit).toHaveCount(0);
  await expect(row).toContainText('at most 60 a minute');
  await operator.call('delete', `/api/v1/hooks/${hook.id}`, undefined, 204);
});

test('a viewer sees the hooks page without New hook, told why', async ({ page, request }) => {
  const admin = await apiAs(request);
  const email = `viewer-hooks-${unique()}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  await admin.call('post', '/api/v1/users', { email, password, name: 'Viewer', role: 'viewer' }, 201);
  await signIn(page, email, password);
  await page.goto('/hooks');
  await expect(page.getByRole('heading', { level: 1, name: 'Inbound hooks' })).toBeVisible();
  await expect(page.getByText('Adding, changing and deleting hooks needs the hooks:write permission.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New hook' })).toHaveCount(0);
  // Only their own are listed, and a viewer can make none: the empty list says so, not that none exist.
  await expect(page.getByRole('heading', { name: 'No inbound hooks that you can see yet' })).toBeVisible();
  await expect(page.getByText(/^Operators and admins add hooks here/)).toContainText(
    'You see the inbound hooks you added; admins see every inbound hook.',
  );
  await expect(page.getByRole('button', { name: 'Add a hook' })).toHaveCount(0);
});

test('a refusal in the hook dialog shows its error code and request id, as the pages do', async ({ page, request }) => {
  test.slow();
  const user = await newOperator(request);
  const operator = await apiAs(request, user.email, user.password);
  const agentName = `limited-${unique()}`;
  const agent = await operator.createAgent(agentName, 'calculator');
  made.agents.push(agent.id);
  // As many hooks as a user may have (HOOKS_PER_USER, 100 by default): the next one is refused with 409.
  const hooks: string[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const hook = await operator.call<{ id: string }>(
        'post',
        '/api/v1/hooks',
        { name: `Limit ${i}`, target: { agentId: agent.id }, auth: 'hmac' },
        201,
      );
      hooks.push(hook.id);
    }

    await signIn(page, user.email, user.password);
    await page.goto('/hooks');
    await expect(page.getByRole('heading', { level: 1, name: 'Inbound hooks' })).toBeVisible();
    await page.getByRole('button', { name: 'New hook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New inbound hook' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('One too many');
    await dialog.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${agentName} (calculator)` });
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/hooks') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Create hook' }).click();
    const refusal = await answer;
    expect(refusal.status()).toBe(409);
    const { meta } = (await refusal.json()) as { meta: { requestId: string } };
    const alert = dialog.getByRole('alert').filter({ hasText: 'The hook was not saved' });
    await expect(alert).toContainText('the most a user may is 100 (HOOKS_PER_USER): delete one first');
    await expect(alert).toContainText(`Code CONFLICT · request ${meta.requestId}`);
    await expect(alert.locator('code')).toHaveText(['CONFLICT', meta.requestId]);
    await expectAccessible(page);
  } finally {
    for (const id of hooks) await operator.call('delete', `/api/v1/hooks/${id}`, undefined, 204);
  }
});

test('a hook and a schedule whose agent was deleted say so at once, not only at their next call or fire', async ({
  page,
  request,
}) => {
  const user = await newOperator(request);
  const operator = await apiAs(request, user.email, user.password);
  const agent = await operator.createAgent(`soon-gone-${unique()}`, 'calculator');
  const hookName = `Hook of a gone agent ${unique()}`;
  await operator.call('post', '/api/v1/hooks', { name: hookName, target: { agentId: agent.id }, auth: 'hmac' }, 201);
  const scheduleName = `Schedule of a gone agent ${unique()}`;
  const schedule = await operator.call<{ id: string }>(
    'post',
    '/api/v1/schedules',
    { name: scheduleName, target: { agentId: agent.id, input: { expression: '1' } }, cron: '0 0 1 1 *' },
    201,
  );
  made.schedules.push(schedule.id);
  await operator.deleteAgent(agent.id);

  await signIn(page, user.email, user.password);
  await page.goto('/hooks');
  const hookRow = page.getByRole('row', { name: new RegExp(hookName) });
  await expect(hookRow).toContainText('Its agent was deleted: every call is refused (409)');
  await expect(hookRow.getByText('deleted', { exact: true })).toBeVisible();
  // Its page is gone: the target is named, not linked.
  await expect(hookRow.getByRole('link', { name: /^agent / })).toHaveCount(0);

  await page.goto('/schedules');
  const scheduleRow = page.getByRole('row', { name: new RegExp(scheduleName) });
  await expect(scheduleRow).toContainText('active');
  await expect(scheduleRow).toContainText('Its agent was deleted: it pauses at its next fire');
  await expect(scheduleRow.getByRole('link', { name: /^agent / })).toHaveCount(0);
  await expectAccessible(page);
});
