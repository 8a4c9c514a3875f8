import { type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectCodeField, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/** A mark on `window` that a reload would wipe out. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
}
async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
}

async function openNewTask(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  await page.getByRole('link', { name: 'New task' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New task' })).toBeVisible();
}

test('every agent type has an input form on New task; a data-processor task is sent and succeeds', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const admin = await adminOf(request);
  const stamp = Date.now();
  const types = await admin.call<{ type: string }[]>('get', '/api/v1/agent-types', undefined, 200);
  const configs: Record<string, Record<string, unknown>> = {
    http: { url: 'https://example.com/hook' },
    llm: { baseUrl: 'https://example.com/v1', model: 'a-model' },
  };
  const agents = new Map<string, string>();
  for (const { type } of types) {
    const name = `form-${type}-${stamp}`;
    const agent = await admin.call<{ id: string }>(
      'post',
      '/api/v1/agents',
      { name, type, config: configs[type] ?? {} },
      201,
    );
    made.agents.push(agent.id);
    agents.set(type, name);
  }

  await signIn(page);
  await openNewTask(page);
  for (const [type, name] of agents) {
    await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${name} (${type})` });
    await expect(page.getByRole('button', { name: 'Submit task' })).toBeVisible();
    await expect(page.getByText('This page could not be shown')).toHaveCount(0);
  }

  // An input typed as JSON starts with what the type requires, and says which ways it may be given.
  await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${agents.get('llm')} (llm)` });
  const json = page.getByRole('textbox', { name: 'Input (JSON)' });
  expect(JSON.parse(await json.inputValue())).toEqual({ prompt: '' });
  await expect(page.getByText('One of {prompt} or {messages}')).toBeVisible();
  await json.fill('{"prompt": "typed"}');
  await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${agents.get('http')} (http)` });
  expect(JSON.parse(await json.inputValue())).toEqual({});
  // The JSON is monospace, its label and help text are not; the type's description shows its code as code.
  const help = await expectCodeField(page, json);
  await expect(help).toHaveText('Any JSON value, sent as input');
  await expect(help.locator('code')).toHaveText('input');

  await page
    .getByRole('combobox', { name: 'Agent' })
    .selectOption({ label: `${agents.get('data-processor')} (data-processor)` });
  const records = page.getByRole('group').filter({ has: page.getByText('records', { exact: true }) });
  await expect(records.first()).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'file' })).toBeVisible();
  // One record (an empty object) and no pipeline: the agent's own (none) leaves it as it is.
  await page.getByRole('button', { name: 'Add' }).first().click();
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
  const status = page.getByRole('group', { name: 'Task status' });
  await expect(status).toContainText('succeeded');
  await expect(page.getByRole('region', { name: 'Output' })).toContainText('"inputCount": 1');
  expect(csp).toEqual([]);
});

test('a task that finishes at once is shown finished on its page, without a reload', async ({ page, request }) => {
  const admin = await adminOf(request);
  const name = `calc-quick-${Date.now()}`;
  const agent = await admin.createAgent(name, 'calculator');
  made.agents.push(agent.id);

  await signIn(page);
  await markPage(page);
  // The task can finish before the page has joined its room: a few tries, each must end on "succeeded".
  for (let i = 1; i <= 3; i += 1) {
    await openNewTask(page);
    await page.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${name} (calculator)` });
    await page.getByLabel('expression').fill(`${i} + 1`);
    await page.getByRole('button', { name: 'Submit task' }).click();
    await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
    const status = page.getByRole('group', { name: 'Task status' });
    await expect(status).toContainText('succeeded', { timeout: 8_000 });
    await expect(page.getByRole('region', { name: 'Output' })).toContainText(`"result": ${i + 1}`);
    await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  }
  await expectNotReloaded(page);
});

test("a task's options (priority, attempts, tags, start time) are sent as set, and bad ones are shown on their field", async ({
  page,
  request,
}) => {
  const admin = await adminOf(request);
  const name = `calc-options-${Date.now()}`;
  const agent = await admin.createAgent(name, 'calculator');
  made.agents.push(agent.id);

  await signIn(page);
  await page.goto(`/tasks/new?agent=${agent.id}`);
  await page.getByLabel('expression').fill('2 * 21');
  await page.getByRole('button', { name: /Options/ }).click();
  await page.getByLabel('Priority', { exact: true }).fill('2');
  await page.getByLabel('Attempts at most', { exact: true }).fill('4');
  const tags = page.getByRole('combobox', { name: 'Tags' });
  // One box for the tags: the field's own input inside it has no border of its own.
  expect(await tags.evaluate((input) => getComputedStyle(input).borderTopWidth)).toBe('0px');
  // Submit stands apart from the options panel above it.
  const panelBottom = await page
    .locator('.task-form .mantine-Accordion-root')
    .evaluate((e) => e.getBoundingClientRect().bottom);
  const submitTop = await page
    .getByRole('button', { name: 'Submit task' })
    .evaluate((e) => e.getBoundingClientRect().top);
  expect(submitTop - panelBottom).toBeGreaterThanOrEqual(8);
  // Enter adds a tag; it does not send the form.
  await tags.fill('nightly');
  await tags.press('Enter');
  await tags.fill('-bad');
  await tags.press('Enter');
  await expect(page).toHaveURL(/\/tasks\/new/);
  const later = new Date(Date.now() + 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = `${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}T${pad(later.getHours())}:${pad(later.getMinutes())}`;
  await page.getByLabel('Not before', { exact: true }).fill(local);

  // Folded away, the options open again by themselves to show a problem.
  await page.getByRole('button', { name: /Options/ }).click();
  await expect(page.getByLabel('Priority', { exact: true })).toBeHidden();
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.getByText('Not a tag: -bad')).toBeVisible();
  // The field marked wrong takes the focus, once its folded section is open.
  await expect(tags).toBeFocused();
  await expect(page).toHaveURL(/\/tasks\/new/);
  const none = await admin.call<unknown[]>('get', `/api/v1/tasks?agentId=${agent.id}`, undefined, 200);
  expect(none).toHaveLength(0);

  // Backspace in the empty tag field takes the last tag away.
  await tags.press('Backspace');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop() ?? '';
  const task = await admin.call<{
    priority: number;
    maxAttempts: number;
    tags: string[];
    runAt: string | null;
    status: string;
  }>('get', `/api/v1/tasks/${id}`, undefined, 200);
  expect(task).toMatchObject({ priority: 2, maxAttempts: 4, tags: ['nightly'], status: 'queued' });
  expect(Date.parse(task.runAt ?? '')).toBe(new Date(local).getTime());
});

const adminOf = (request: Parameters<typeof apiAs>[0]) => apiAs(request);
