import { type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/** The agents the page asked the server to create (none while the form finds problems itself). */
function watchCreates(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/agents') sent.push(r.url());
  });
  return sent;
}

async function chooseType(page: Page, type: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: type }).click();
}

/** A new http agent's form, signed in: its configuration region and that region's URL field. */
async function openHttpForm(page: Page) {
  await signIn(page);
  await page.goto('/agents/new');
  await chooseType(page, 'http');
  const form = page.getByRole('region', { name: 'Configuration' });
  return { form, url: form.getByRole('textbox', { name: /^URL\*?$/ }) };
}

test('a data-processor agent from its form: kinds of step chosen, values filled in, every problem at once', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const creates = watchCreates(page);
  await signIn(page);
  await page.goto('/agents/new');
  await chooseType(page, 'data-processor');
  const form = page.getByRole('region', { name: 'Configuration' });
  // A description's code in backticks shows as code, without the backticks.
  const hint = form.locator('.field-description').filter({ hasText: 'written to a new file' });
  await expect(hint.locator('code')).toHaveText('outputFileId');
  await expect(hint).not.toContainText('`');

  // A step is one kind of step: chosen from a list, with that kind's fields only.
  await form.getByRole('button', { name: 'Add step' }).click();
  const kinds = form.getByRole('combobox', { name: 'Kind of step' });
  // Each kind's fields are a group named by the kind.
  const filter = form.getByRole('group', { name: /^filter\*?$/ });
  const group = form.getByRole('group', { name: /^group\*?$/ });
  await expect(kinds).toHaveCount(1);
  await expect(kinds.locator('option')).toHaveText(['filter', 'select', 'sort', 'group', 'dedupe', 'limit']);
  await expect(kinds.locator('option:checked')).toHaveText('filter');
  await expect(filter.getByRole('textbox', { name: /^field\*?$/ })).toBeVisible();
  await expect(form.getByLabel('count')).toHaveCount(0);
  await expect(form.getByRole('button', { name: 'Remove' })).toBeVisible();

  await form.getByRole('button', { name: 'Add step' }).click();
  await kinds.nth(1).selectOption('group');
  await expect(group).toBeVisible();
  await expect(form.getByRole('group', { name: /^filter/ })).toHaveCount(1);
  await form.getByRole('button', { name: 'Add aggregate' }).click();
  await form.getByRole('button', { name: 'Add step' }).click();
  await kinds.nth(2).selectOption('limit');
  await expect(form.getByLabel('count')).toBeVisible();

  // Wrong or missing values everywhere, the name included: one submit shows them all, and sends nothing.
  await page.getByRole('textbox', { name: 'Name' }).fill('-not a name');
  await filter.getByRole('textbox', { name: 'value' }).fill('["DE", ');
  await form.getByLabel('Chunk size', { exact: true }).fill('0');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('alert')).toContainText('values need fixing; see the fields marked above');
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveAccessibleDescription(
    /must start with an ASCII letter/,
  );
  await expect(filter.getByRole('textbox', { name: /^field\*?$/ })).toHaveAccessibleDescription(/Enter a value/);
  await expect(filter.getByRole('combobox', { name: /^op\*?$/ })).toHaveAccessibleDescription(/Enter a value/);
  await expect(filter.getByRole('textbox', { name: 'value' })).toHaveAccessibleDescription(/Not valid JSON/);
  await expect(group.getByRole('textbox', { name: /One field/ })).toHaveAccessibleDescription(/Enter a value/);
  await expect(group.getByRole('combobox', { name: /^op\*?$/ })).toHaveAccessibleDescription(/Enter a value/);
  await expect(form.getByLabel('count')).toHaveAccessibleDescription(/Enter a value/);
  await expect(form.getByLabel('Chunk size', { exact: true })).toHaveAccessibleDescription(/Must be at least 1/);
  expect(creates).toEqual([]);
  await expectAccessible(page);

  // Fixed, in one go: the agent is created with what was typed.
  const name = `dp-form-${Date.now()}`;
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await filter.getByRole('textbox', { name: /^field\*?$/ }).fill('customer.country');
  await filter.getByRole('combobox', { name: /^op\*?$/ }).selectOption('in');
  await filter.getByRole('textbox', { name: 'value' }).fill('["DE", "FR"]');
  await group.getByRole('textbox', { name: /One field/ }).fill('customer.country');
  // An aggregate is named by its key (renamed when the key field is left).
  const key = group.getByRole('textbox', { name: /Key$/ });
  await key.fill('total');
  await key.blur();
  await group.getByRole('combobox', { name: /^op\*?$/ }).selectOption('sum');
  await group.getByRole('textbox', { name: /^field\*?$/ }).fill('amount');
  await form.getByLabel('count').fill('10');
  await form.getByLabel('Chunk size', { exact: true }).fill('100');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const id = page.url().split('/').pop() ?? '';
  made.agents.push(id);
  expect(creates).toHaveLength(1);
  const agent = await (
    await apiAs(request)
  ).call<{ name: string; config: unknown }>('get', `/api/v1/agents/${id}`, undefined, 200);
  expect(agent.config).toEqual({
    pipeline: [
      { filter: { where: { field: 'customer.country', op: 'in', value: ['DE', 'FR'] } } },
      { group: { by: 'customer.country', aggregates: { total: { op: 'sum', field: 'amount' } } } },
      { limit: { count: 10 } },
    ],
    chunkSize: 100,
    maxInlineOutputBytes: 1048576,
  });

  // Its tasks take records typed in as JSON, each checked before it is sent.
  await page.goto(`/tasks/new?agent=${id}`);
  await page.getByRole('button', { name: 'Add record' }).click();
  await page.getByRole('button', { name: 'Add record' }).click();
  const records = page.getByRole('textbox', { name: /^record/ });
  await expect(records.first()).toHaveValue('{}');
  await records.nth(0).fill('{"amount": 5, "customer": {"country": "DE"}}');
  await records.nth(1).fill('{"amount": 7, "customer": {"country": "DE"}');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(records.nth(1)).toHaveAccessibleDescription(/Not valid JSON/);
  await records.nth(1).fill('{"amount": 7, "customer": {"country": "DE"}}');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('succeeded');
  await expect(page.getByRole('region', { name: 'Output' })).toContainText('"total": 12');
  expect(csp).toEqual([]);
});

test('what only the server can judge is shown on the field it names', async ({ page }) => {
  const creates = watchCreates(page);
  const { url } = await openHttpForm(page);
  await page.getByRole('textbox', { name: 'Name' }).fill(`http-form-${Date.now()}`);
  // Not a URL: its format and its pattern make one message in plain words, and nothing is sent.
  await url.fill('example.com/hook');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(url).toHaveAccessibleDescription(/Must be a URL starting with http:\/\/ or https:\/\//);
  await expect(page.getByRole('region', { name: 'Configuration' }).getByText(/Must be a URL|must match/)).toHaveCount(
    1,
  );
  expect(creates).toHaveLength(0);
  await url.fill('https://user:secret@example.com/hook');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(url).toHaveAccessibleDescription(/must not carry credentials/);
  await expect(page.getByRole('alert')).toContainText('The server refused some values');
  // The field the server refused has the focus, as one the form refuses itself would.
  await expect(url).toBeFocused();
  expect(creates).toHaveLength(1);
});

test('a header added to an http agent starts with an empty value, its fields named Key and Value', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { form, url } = await openHttpForm(page);
  const name = `http-headers-${Date.now()}`;
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await url.fill('https://example.com/hook');
  await form.getByRole('button', { name: 'Add to headers' }).click();

  // Not "newKey Key" over the name, nor "New Value" hidden in the (secret) value's field.
  const key = form.getByRole('textbox', { name: 'Key', exact: true });
  const value = form.getByLabel('Value', { exact: true });
  await expect(key).toBeVisible();
  await expect(value).toHaveAttribute('type', 'password');
  await expect(value).toHaveValue('');
  await expect(form.getByText('newKey Key')).toHaveCount(0);
  await expectAccessible(page);

  await key.fill('X-Trace');
  await key.blur();
  await value.fill('trace-me');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const id = page.url().split('/').pop() ?? '';
  made.agents.push(id);
  // The header was kept under the name typed (its value, a secret, comes back masked).
  const agent = await (
    await apiAs(request)
  ).call<{ config: { headers?: Record<string, string> } }>('get', `/api/v1/agents/${id}`, undefined, 200);
  expect(Object.keys(agent.config.headers ?? {})).toEqual(['X-Trace']);
  expect(csp).toEqual([]);
});

test('a number that does not read as one is refused on its field, not saved as the default', async ({
  page,
  request,
}) => {
  const creates = watchCreates(page);
  const saves: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /^\/api\/v1\/agents\/[^/]+\/config$/.test(new URL(r.url()).pathname))
      saves.push(r.url());
  });
  await signIn(page);
  // A form's own problems are shown on its fields, and nothing is logged.
  const logged: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') logged.push(message.text());
  });
  await page.goto('/agents/new');
  await chooseType(page, 'calculator');
  const name = `calc-number-${Date.now()}`;
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  const form = page.getByRole('region', { name: 'Configuration' });
  const precision = form.getByRole('textbox', { name: 'Precision' });
  await expect(precision).toHaveValue('10');
  await expect(precision).toHaveAttribute('inputmode', 'numeric');

  // Too large for a number (a number input would report it as empty), and a sign alone: what was typed stays.
  for (const text of ['1e400', '-', '--2']) {
    await precision.fill(text);
    await page.getByRole('button', { name: 'Create agent' }).click();
    await expect(precision).toHaveValue(text);
    await expect(precision).toHaveAccessibleDescription(/Must be a whole number/);
    await expect(page.getByRole('alert')).toContainText('One value needs fixing; see the fields marked above');
  }
  await precision.fill('1.5');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(precision).toHaveAccessibleDescription(/Must be a whole number/);
  await precision.fill('-2');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(precision).toHaveAccessibleDescription(/Must be at least 0/);
  expect(creates).toEqual([]);

  await precision.fill('3');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const id = page.url().split('/').pop() ?? '';
  made.agents.push(id);
  expect(creates).toHaveLength(1);
  const api = await apiAs(request);
  const configOf = async () =>
    (await api.call<{ config: unknown }>('get', `/api/v1/agents/${id}`, undefined, 200)).config;
  expect(await configOf()).toEqual({ precision: 3 });

  // The same on the agent's own page, where the configuration is edited; emptied, the default is saved.
  await page.getByRole('button', { name: 'Edit configuration' }).click();
  const edit = page.getByRole('region', { name: 'Edit configuration' });
  const editPrecision = edit.getByRole('textbox', { name: 'Precision' });
  await expect(editPrecision).toHaveValue('3');
  await editPrecision.fill('1e400');
  await edit.getByRole('button', { name: 'Save configuration' }).click();
  await expect(editPrecision).toHaveValue('1e400');
  await expect(editPrecision).toHaveAccessibleDescription(/Must be a whole number/);
  await expect(edit.getByRole('alert')).toContainText('One value needs fixing; see the fields marked above');
  expect(saves).toEqual([]);
  await editPrecision.fill('');
  await edit.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version' })).toContainText('version 2');
  expect(saves).toHaveLength(1);
  expect(await configOf()).toEqual({ precision: 10 });

  // A task's input with a field left empty: shown on the field, and nothing logged either.
  await page.goto(`/tasks/new?agent=${id}`);
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.getByRole('textbox', { name: /^Expression/ })).toHaveAccessibleDescription(/Enter a value/);
  expect(logged).toEqual([]);
});

test('an empty http agent submitted by keyboard: the name, first on the page, is focused, asked for as every field is', async ({
  page,
}) => {
  const creates = watchCreates(page);
  const { url } = await openHttpForm(page);
  const name = page.getByRole('textbox', { name: 'Name' });
  await expect(url).toBeVisible();
  await page.getByRole('button', { name: 'Create agent' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('values need fixing; see the fields marked above');
  await expect(name).toBeFocused();
  // A missing name is asked for in the words a missing configuration value is.
  await expect(name).toHaveAccessibleDescription(/^Enter a value/);
  await expect(url).toHaveAccessibleDescription(/Enter a value/);
  // With the name given, the first field still wrong is focused: the URL.
  await name.fill(`http-empty-${Date.now()}`);
  await page.getByRole('button', { name: 'Create agent' }).focus();
  await page.keyboard.press('Enter');
  await expect(url).toBeFocused();
  expect(creates).toEqual([]);
});

test('a pipeline’s steps have buttons that name their step', async ({ page }) => {
  await signIn(page);
  await page.goto('/agents/new');
  await chooseType(page, 'data-processor');
  const form = page.getByRole('region', { name: 'Configuration' });
  await form.getByRole('button', { name: 'Add step' }).click();
  await form.getByRole('button', { name: 'Add step' }).click();
  const button = (name: string) => form.getByRole('button', { name, exact: true });
  for (const step of [1, 2]) {
    await expect(button(`Remove step ${step}`)).toHaveText('Remove');
    await expect(button(`Move up step ${step}`)).toHaveText('Move up');
    await expect(button(`Move down step ${step}`)).toHaveText('Move down');
  }
  await expect(button('Move up step 1')).toBeDisabled();
  await expect(button('Move down step 2')).toBeDisabled();
  await button('Remove step 1').click();
  await expect(button('Remove step 1')).toBeVisible();
  await expect(button('Remove step 2')).toHaveCount(0);
  await expectAccessible(page);
});

test('a configuration field showing an error is marked invalid, and no longer once its value is right', async ({
  page,
}) => {
  const creates = watchCreates(page);
  const { form, url } = await openHttpForm(page);
  const timeout = form.getByRole('textbox', { name: /^Timeout \(ms\)/ });
  await expect(url).toBeVisible();
  await expect(url).not.toHaveAttribute('aria-invalid', 'true');
  // The URL left empty, a timeout below its least: both shown in error, both marked invalid.
  await timeout.fill('50');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(url).toHaveAccessibleDescription(/Enter a value/);
  await expect(url).toHaveAttribute('id', 'config_url');
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  await expect(timeout).toHaveAccessibleDescription(/Must be at least 100/);
  await expect(timeout).toHaveAttribute('aria-invalid', 'true');
  // Both put right (the name still missing, so nothing is sent): neither is marked any more.
  await url.fill('https://example.com/hook');
  await timeout.fill('30000');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveAccessibleDescription(/^Enter a value/);
  await expect(url).not.toHaveAttribute('aria-invalid', 'true');
  await expect(timeout).not.toHaveAttribute('aria-invalid', 'true');
  expect(creates).toEqual([]);
});
