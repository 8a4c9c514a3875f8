import { type Locator, type Page, expect, test } from '@playwright/test';
import { apiAs, apiWithAgent, deleteAfterAll, signIn, unique } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/**
 * The `method` requests to a path matching `path` that the page sends. Each is held back on its way for a
 * moment, so a double click's second click lands while the first one's request is still under way.
 */
async function watchSends(page: Page, method: string, path: RegExp): Promise<string[]> {
  const sent: string[] = [];
  const matches = (url: URL | string) => path.test(new URL(url).pathname);
  page.on('request', (r) => {
    if (r.method() === method && matches(r.url())) sent.push(r.url());
  });
  await page.route(matches, async (route) => {
    if (route.request().method() === method) await new Promise((resolve) => setTimeout(resolve, 300));
    await route.fallback();
  });
  return sent;
}

test('a double click on Create agent creates one agent', async ({ page }) => {
  await signIn(page);
  const sent = await watchSends(page, 'POST', /^\/api\/v1\/agents$/);
  await page.goto('/agents/new');
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'calculator' }).click();
  const name = `twice-new-${unique()}`;
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: 'Create agent' }).dblclick();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  made.agents.push(page.url().split('/').pop() ?? '');
  expect(sent).toHaveLength(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a double click on Save settings or Save configuration saves once: one change, one new version', async ({
  page,
  request,
}) => {
  const { agent, api } = await apiWithAgent(request, made, 'twice-edit');
  await signIn(page);
  const patches = await watchSends(page, 'PATCH', /^\/api\/v1\/agents\/[^/]+$/);
  const versions = await watchSends(page, 'POST', /^\/api\/v1\/agents\/[^/]+\/config$/);
  await page.goto(`/agents/${agent.id}`);
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);

  const settings = page.getByRole('form', { name: 'Settings' });
  await settings.getByRole('textbox', { name: 'Description' }).fill('Saved once');
  await settings.getByRole('button', { name: 'Save settings' }).dblclick();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  expect(patches).toHaveLength(1);

  await page.getByRole('button', { name: 'Edit configuration' }).click();
  const form = page.getByRole('region', { name: 'Edit configuration' });
  await form.getByLabel('Precision', { exact: true }).fill('4');
  await form.getByRole('button', { name: 'Save configuration' }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version 2' })).toBeVisible();
  expect(versions).toHaveLength(1);
  const stored = await api.call<{ configVersion: number; description: string }>(
    'get',
    `/api/v1/agents/${agent.id}`,
    undefined,
    200,
  );
  expect(stored).toMatchObject({ configVersion: 2, description: 'Saved once' });
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a double click on Retry retries a failed task once', async ({ page, request }) => {
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`twice-retry-${unique()}`, 'calculator');
  made.agents.push(agent.id);
  const task = await admin.call<{ id: string }>(
    'post',
    '/api/v1/tasks',
    { agentId: agent.id, input: { expression: '1 / 0' }, maxAttempts: 1 },
    202,
  );
  await signIn(page);
  const retries = await watchSends(page, 'POST', /^\/api\/v1\/tasks\/[^/]+\/retry$/);
  await page.goto(`/tasks/${task.id}`);
  const status = page.getByRole('group', { name: 'Task status' });
  await expect(status).toContainText('failed', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Retry' }).dblclick();
  await expect(page.getByText(/· 1 attempt \(2 in all\) ·/)).toBeVisible({ timeout: 30_000 });
  expect(retries).toHaveLength(1);
  await expect(page.getByText('Could not retry the task')).toHaveCount(0);
});

test('a double click creates one user; the dialog opens again empty, after Cancel too', async ({ page }) => {
  const stamp = unique();
  const name = `Twice ${stamp}`;
  const email = `twice-${stamp}@console.test`;
  await signIn(page);
  const creates = await watchSends(page, 'POST', /^\/api\/v1\/users$/);
  const patches = await watchSends(page, 'PATCH', /^\/api\/v1\/users\/[^/]+$/);
  const passwords = await watchSends(page, 'POST', /^\/api\/v1\/users\/[^/]+\/password$/);
  await page.goto('/users');
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);

  const open = async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await expect(dialog).toBeVisible();
    return dialog;
  };
  const expectEmpty = async (dialog: Locator) => {
    await expect(dialog.getByLabel('Email')).toHaveValue('');
    await expect(dialog.getByLabel('Name')).toHaveValue('');
    await expect(dialog.getByRole('textbox', { name: 'Password', exact: true })).toHaveValue('');
    await expect(dialog.getByRole('combobox', { name: 'Role', exact: true })).toHaveValue('viewer');
    await expect(dialog.getByRole('alert')).toHaveCount(0);
    await expect(dialog.getByText(/already exists/)).toHaveCount(0);
  };

  // Typed in, then cancelled (asked first, then discarded): nothing of it is kept, the password least of all.
  const discard = () =>
    page
      .getByRole('dialog', { name: 'Close without saving?' })
      .getByRole('button', { name: 'Discard and close' })
      .click();
  let form = await open();
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill(name);
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill('a-password-to-forget');
  await form.getByRole('combobox', { name: 'Role', exact: true }).selectOption('operator');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await discard();
  await expect(form).toBeHidden();
  form = await open();
  await expectEmpty(form);
  // Refused, then closed: the refusal is not there when it opens again.
  await form.getByLabel('Email').fill('not-an-email');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Close' }).click();
  await discard();
  await expect(form).toBeHidden();
  form = await open();
  await expectEmpty(form);
  creates.length = 0;

  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill(name);
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill('the-password-of-twice');
  await form.getByRole('combobox', { name: 'Role', exact: true }).selectOption('operator');
  await form.getByRole('button', { name: 'Create user' }).dblclick();
  await expect(form).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: email })).toHaveText(
    `${name} (${email}) was created as an operator.`,
  );
  expect(creates).toHaveLength(1);
  form = await open();
  await expectEmpty(form);
  await form.getByRole('button', { name: 'Cancel' }).click();

  // The row's actions send once too.
  const row = page.getByRole('row').filter({ hasText: email });
  await row.getByLabel(`Role of ${name}`, { exact: true }).selectOption('viewer');
  await row.getByRole('button', { name: `Save role of ${name}` }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: email })).toContainText('is now a viewer');
  expect(patches).toHaveLength(1);
  await row.getByRole('button', { name: 'Reset password' }).click();
  const reset = page.getByRole('dialog', { name: `Reset the password of ${name}` });
  await reset.getByLabel('New password').fill('another-password-of-twice');
  await reset.getByRole('button', { name: 'Set password' }).dblclick();
  await expect(reset).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: email })).toContainText('was reset');
  expect(passwords).toHaveLength(1);
});
