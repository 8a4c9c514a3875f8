import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Locator, type Page, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { expectAccessible, signIn, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

async function token(page: Page): Promise<string> {
  const res = await page.request.post('/api/v1/auth/login', { data: ADMIN });
  return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
}

const created: string[] = [];

interface AgentBody {
  name: string;
  timeoutMs: number;
  concurrencyPerKey: number | null;
  configVersion: number;
  config: Record<string, unknown>;
}

// The browser tests share one database: the agents made here go, so other pages still start empty.
test.afterAll(async ({ browser }) => {
  const page = await browser.newPage({ baseURL: process.env.CONSOLE_URL });
  const auth = { Authorization: `Bearer ${await token(page)}` };
  for (const id of created) await page.request.delete(`/api/v1/agents/${id}`, { headers: auth });
  await page.close();
});

test('an agent is created from its type’s form; the server’s refusal lands on the field', async ({ page }) => {
  const csp = watchCsp(page);
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await page.getByRole('link', { name: 'New agent' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'New agent' })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'calculator' }).click();
  const name = `calc-${Date.now()}`;
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  // Back, with the form filled in: asked first, and the form kept when staying.
  await page.goBack();
  const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
  await expect(leave).toContainText('The new agent is not saved');
  await leave.getByRole('button', { name: 'Stay' }).click();
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue(name);
  const precision = page.getByLabel('Precision', { exact: true });
  await expect(precision).toHaveValue('10');
  await precision.fill('99');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(precision).toHaveAccessibleDescription(/15/);
  await expect(page.getByRole('alert')).toContainText('see the fields marked');
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'agent-new.png'), fullPage: true });

  await precision.fill('3');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  created.push(page.url().split('/').pop() ?? '');
  await expect(page.getByRole('region', { name: /Configuration/ })).toContainText('"precision": 3');

  await page.getByRole('link', { name: '← Agents' }).click();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('calculator');
  await expect(row).toContainText('active');
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'agents.png'), fullPage: true });

  // Filters live in the URL.
  await page.getByRole('searchbox', { name: 'Search' }).fill('no-such-agent');
  await expect(page).toHaveURL(/q=no-such-agent/);
  await expect(page.getByRole('heading', { level: 2, name: 'No agents match these filters' })).toBeVisible();
  // Clearing the filters empties the search box too.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('');
  await expect(page.getByRole('row').filter({ hasText: name })).toBeVisible();
  await page.goto(`/agents?q=${name}`);
  await expect(page.getByRole('row').filter({ hasText: name })).toBeVisible();

  // Every type's schema renders as a form: defaults filled in, secrets as password inputs.
  await page.goto('/agents/new');
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'data-processor' }).click();
  await expect(page.getByLabel('Chunk size', { exact: true })).toHaveValue('1000');
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'llm' }).click();
  await expect(page.getByLabel('API key', { exact: true })).toHaveAttribute('type', 'password');
  await expect(page.getByLabel('Timeout (ms)', { exact: true })).toHaveValue('60000');

  // A name another agent has is refused on the Name field, the form kept.
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'calculator' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  // Enter in the Name field sends the form, as in its configuration's fields.
  await page.getByRole('textbox', { name: 'Name' }).press('Enter');
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveAccessibleDescription(
    /^An agent with this name already exists At most 200 characters/,
  );
  await expect(page.getByRole('alert')).toContainText('see the fields marked');
  // Sent from its button with the keyboard: the button, disabled while it is sent, is enabled again once refused,
  // and the field refused has the focus, as one the form refuses itself would.
  const createButton = page.getByRole('button', { name: 'Create agent' });
  await createButton.focus();
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/agents') && r.request().method() === 'POST');
  await page.keyboard.press('Enter');
  expect((await answered).status()).toBe(409);
  await expect(createButton).toBeEnabled();
  await expect(page.getByRole('textbox', { name: 'Name' })).toBeFocused();
  await expect(page.getByRole('heading', { level: 1, name: 'New agent' })).toBeVisible();
  expect(csp).toEqual([]);
});

test('pause and resume from the detail page; roll back a config version; secrets are masked', async ({ page }) => {
  const csp = watchCsp(page);
  await signIn(page);
  const auth = { Authorization: `Bearer ${await token(page)}` };
  const res = await page.request.post('/api/v1/agents', {
    headers: auth,
    data: {
      name: `remote-${Date.now()}`,
      type: 'http',
      config: { url: 'https://example.com/hook', signingSecret: 'a-signing-secret-of-some-length' },
    },
  });
  expect(res.status()).toBe(201);
  const agent = ((await res.json()) as { data: { id: string; name: string } }).data;
  created.push(agent.id);
  const update = await page.request.post(`/api/v1/agents/${agent.id}/config`, {
    headers: auth,
    data: { config: { url: 'https://example.com/hook', method: 'PUT', signingSecret: '********' } },
  });
  expect(update.status()).toBe(200);

  await page.goto(`/agents/${agent.id}`);
  await expect(page.getByRole('heading', { level: 1, name: agent.name })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  await expect(page.getByRole('region', { name: /Configuration/ })).toContainText('"signingSecret": "********"');
  await expect(page.getByText('a-signing-secret-of-some-length')).toHaveCount(0);
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'agent-detail.png'), fullPage: true });

  await page.getByRole('button', { name: 'Pause agent' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('queued tasks wait');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Resume agent' })).toBeVisible();
  await expect(page.locator('.agent-status')).toHaveText('paused');
  await page.getByRole('button', { name: 'Resume agent' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Pause agent' })).toBeVisible();
  await expect(page.locator('.agent-status')).toHaveText('active');
  // Paused elsewhere (another operator, through the API): the open page follows within its refresh.
  const elsewhere = await page.request.patch(`/api/v1/agents/${agent.id}`, {
    headers: auth,
    data: { status: 'paused' },
  });
  expect(elsewhere.status()).toBe(200);
  await expect(page.locator('.agent-status')).toHaveText('paused', { timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Resume agent' })).toBeVisible();
  await page.getByRole('button', { name: 'Resume agent' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(page.locator('.agent-status')).toHaveText('active');

  await page.getByRole('button', { name: 'Rollback to version 1' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'from version 1' })).toContainText('current');
  await expect(page.getByRole('region', { name: /Configuration \(version 3/ })).toContainText('"method": "POST"');
  expect(csp).toEqual([]);
});

test('settings and configuration are edited on the agent’s page; secrets are kept; refusals land on the field', async ({
  page,
}) => {
  const csp = watchCsp(page);
  await signIn(page);
  const auth = { Authorization: `Bearer ${await token(page)}` };
  const stamp = Date.now();
  const make = async (name: string) => {
    const res = await page.request.post('/api/v1/agents', {
      headers: auth,
      data: {
        name,
        type: 'http',
        config: { url: 'https://example.com/hook', signingSecret: 'a-signing-secret-of-some-length' },
      },
    });
    expect(res.status()).toBe(201);
    const agent = ((await res.json()) as { data: { id: string } }).data;
    created.push(agent.id);
    return agent.id;
  };
  const id = await make(`editable-${stamp}`);
  await make(`taken-${stamp}`);
  const stored = async () =>
    ((await (await page.request.get(`/api/v1/agents/${id}`, { headers: auth })).json()) as { data: AgentBody }).data;

  await page.goto(`/agents/${id}`);
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  const settings = page.getByRole('form', { name: 'Settings' });
  const name = settings.getByRole('textbox', { name: 'Name' });
  // Checked before sending, on the field.
  await name.fill('not/a name');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(name).toHaveAccessibleDescription(/may use only ASCII letters, digits, space \. _ - \(not “\/”\)/);
  // Refused by the server: the name belongs to another agent.
  await name.fill(`taken-${stamp}`);
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(name).toHaveAccessibleDescription(/^An agent with this name already exists At most 200/);
  expect((await stored()).name).toBe(`editable-${stamp}`);

  await name.fill(`renamed-${stamp}`);
  await settings.getByRole('textbox', { name: 'Timeout (seconds)' }).fill('2.5');
  await settings.getByRole('textbox', { name: 'Limit per key' }).fill('3');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('heading', { level: 1, name: `renamed-${stamp}` })).toBeVisible();
  expect(await stored()).toMatchObject({ name: `renamed-${stamp}`, timeoutMs: 2500, concurrencyPerKey: 3 });

  await page.getByRole('button', { name: 'Edit configuration' }).click();
  const form = page.getByRole('region', { name: 'Edit configuration' });
  const secret = form.getByLabel('Signing secret', { exact: true });
  await expect(secret).toHaveAttribute('type', 'password');
  await expect(secret).toHaveValue('********');
  await expectAccessible(page);
  // A new target with the secret left masked: the server says the secret must be given again, on its field.
  await form.getByLabel(/^URL\*?$/).fill('https://example.org/other');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(secret).toHaveAccessibleDescription(/.+/);
  await expect(form.getByRole('alert')).toContainText('see the fields marked');
  expect((await stored()).configVersion).toBe(1);
  // A new secret too short is caught before sending; the same target keeps the masked secret as it is.
  await secret.fill('short');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(secret).toHaveAccessibleDescription(/Must be at least 16 characters long/);
  await form.getByLabel(/^URL\*?$/).fill('https://example.com/hook');
  await secret.fill('********');
  await form.getByLabel('Timeout (ms)', { exact: true }).fill('5000');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version 2' })).toBeVisible();
  await expect(page.getByRole('region', { name: /Configuration \(version 2/ })).toContainText('"timeoutMs": 5000');
  const after = await stored();
  expect(after.config).toMatchObject({ url: 'https://example.com/hook', timeoutMs: 5000, signingSecret: '********' });
  await expect(page.getByRole('row').filter({ hasText: 'current' })).toContainText('2');
  expect(csp).toEqual([]);
});

test('an agent is deleted from its page, after saying what that does; it leaves the list', async ({ page }) => {
  const csp = watchCsp(page);
  await signIn(page);
  const auth = { Authorization: `Bearer ${await token(page)}` };
  const name = `doomed-${Date.now()}`;
  const res = await page.request.post('/api/v1/agents', { headers: auth, data: { name, type: 'calculator' } });
  expect(res.status()).toBe(201);
  const agent = ((await res.json()) as { data: { id: string } }).data;
  created.push(agent.id);

  await page.goto(`/agents/${agent.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByRole('button', { name: 'Delete agent' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('takes no new tasks');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Delete the agent' }).click();
  await expect(page).toHaveURL(/\/agents$/);
  await expect(page.getByRole('link', { name })).toHaveCount(0);
  // The list says what happened, and a keyboard user goes on from there, not from the top of the page.
  const said = page.getByRole('status').filter({ hasText: `Deleted “${name}”` });
  await expect(said).toContainText('its tasks and their history stay readable');
  await expect(page.locator(':focus')).toContainText(`Deleted “${name}”`);
  const gone = await page.request.get(`/api/v1/agents/${agent.id}`, { headers: auth });
  expect(gone.status()).toBe(404);
  expect(csp).toEqual([]);
});

/** Focuses `target` as the Tab key would (a click or `focus()` alone is not a keyboard focus). */
async function focusByKeyboard(page: Page, target: Locator): Promise<void> {
  await target.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
}

test('a viewer sees agents but may not create one, and is told why', async ({ page, request }) => {
  const email = `viewer-${Date.now()}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  expect((await request.post('/api/v1/auth/register', { data: { email, password, name: 'Viewer' } })).status()).toBe(
    201,
  );
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
  const button = page.getByRole('button', { name: /New agent \(Your role may not change agents/ }).first();
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('link', { name: 'New agent' })).toHaveCount(0);
  // Reached by the keyboard, it shows its reason and is described by it, not only under the mouse.
  await focusByKeyboard(page, button);
  await expect(page.getByRole('tooltip')).toHaveText('Your role may not change agents (needs agents:write)');
  await expect(button).toHaveAccessibleDescription('Your role may not change agents (needs agents:write)');

  // Its address says why, with no form to fill in.
  await page.goto('/agents/new');
  await expect(page.getByRole('alert').filter({ hasText: 'Read only' })).toContainText('needs agents:write');
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create agent' })).toHaveCount(0);

  // The tasks: none they can see, and no offer to create one.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'No tasks that you can see yet' })).toBeVisible();
  await expect(page.getByText('You see the tasks you created; admins see every task.')).toBeVisible();
  await expect(page.getByText(/Create one here/)).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Create a task' })).toHaveCount(0);

  // A new workflow can be drafted, not saved: Save workflow says why, not that no problems were found.
  await page.goto('/workflows/new');
  const save = page.getByRole('button', { name: /^Save workflow/ });
  await expect(save).toHaveAttribute('aria-disabled', 'true');
  await focusByKeyboard(page, save);
  await expect(save).toHaveAccessibleDescription('Your role may not do this (needs workflows:write)');
});

test('a type the server does not know leaves the URL’s filter quietly; a known one stays', async ({ page }) => {
  await signIn(page);
  const res = await page.request.post('/api/v1/agents', {
    headers: { Authorization: `Bearer ${await token(page)}` },
    data: { name: `typed-${Date.now()}`, type: 'calculator', config: {} },
  });
  expect(res.status()).toBe(201);
  const agent = ((await res.json()) as { data: { id: string; name: string } }).data;
  created.push(agent.id);

  await page.goto('/agents?type=nonexistent&status=active');
  await expect(page).toHaveURL(/\/agents\?status=active$/);
  await expect(page.getByRole('link', { name: agent.name })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Type filter' })).toHaveValue('');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText('Unknown agent type')).toHaveCount(0);

  await page.goto('/agents?type=calculator');
  await expect(page.getByRole('link', { name: agent.name })).toBeVisible();
  await expect(page).toHaveURL(/type=calculator/);
  await expect(page.getByRole('combobox', { name: 'Type filter' })).toHaveValue('calculator');
});

test('an agent’s recent tasks follow it live, and the tasks page after it too; a long name wraps', async ({ page }) => {
  await signIn(page);
  const auth = { Authorization: `Bearer ${await token(page)}` };
  const name = `a_${'long_identifier_'.repeat(11)}`.slice(0, 190);
  const res = await page.request.post('/api/v1/agents', { headers: auth, data: { name, type: 'calculator' } });
  expect(res.status()).toBe(201);
  const agent = ((await res.json()) as { data: { id: string } }).data;
  created.push(agent.id);

  await page.goto(`/agents/${agent.id}`);
  await expect(page.getByRole('heading', { level: 3, name: 'No tasks yet' })).toBeVisible();
  // The page is no wider than the window, the name wrapped.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expect(page.getByRole('link', { name: 'New task' })).toHaveAttribute('href', `/tasks/new?agent=${agent.id}`);

  const send = async (expression: string) => {
    const sent = await page.request.post('/api/v1/tasks', {
      headers: auth,
      data: { agentId: agent.id, input: { expression } },
    });
    expect(sent.status()).toBe(202);
    return ((await sent.json()) as { data: { id: string } }).data.id;
  };
  const first = await send('1 + 1');
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: first.slice(0, 8) }) });
  await expect(row).toContainText('succeeded');

  // The tasks page, with the agent's list still cached: its live events go on being applied.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  const second = await send('2 + 2');
  await expect(page.getByRole('row').filter({ hasText: second.slice(0, 8) })).toContainText('succeeded');
});
