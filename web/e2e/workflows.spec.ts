import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiToken, expectAccessible, signIn, watchCsp } from './helpers';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

test.use({ baseURL: process.env.CONSOLE_URL });

interface Created {
  id: string;
}

const createdAgents: string[] = [];
const createdWorkflows: string[] = [];

async function adminApi(request: APIRequestContext) {
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  const headers = { Authorization: `Bearer ${token}` };
  const call = async <T>(method: 'post' | 'patch', path: string, data: unknown, status: number): Promise<T> => {
    const res = await request[method](path, { headers, data });
    expect(res.status(), await res.text()).toBe(status);
    return ((await res.json()) as { data: T }).data;
  };
  return {
    headers,
    createAgent: async (name: string) => {
      const agent = await call<Created>('post', '/api/v1/agents', { name, type: 'calculator', config: {} }, 201);
      createdAgents.push(agent.id);
      return agent;
    },
    setAgentStatus: (id: string, status: 'active' | 'paused') =>
      call<Created>('patch', `/api/v1/agents/${id}`, { status }, 200),
    createWorkflow: async (body: unknown) => {
      const workflow = await call<Created>('post', '/api/v1/workflows', body, 201);
      createdWorkflows.push(workflow.id);
      return workflow;
    },
    startRun: (workflowId: string, input: unknown = {}) =>
      call<Created>('post', `/api/v1/workflows/${workflowId}/runs`, { input }, 202),
  };
}

// The browser tests share one database: what is made here goes, so other pages still start empty.
test.afterAll(async ({ request }) => {
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  const headers = { Authorization: `Bearer ${token}` };
  for (const id of createdWorkflows) await request.delete(`/api/v1/workflows/${id}`, { headers });
  for (const id of createdAgents) await request.delete(`/api/v1/agents/${id}`, { headers });
});

/** A mark on `window` that a reload would wipe out. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
}
async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
}

/** A step's node on the graph (xyflow renders each as a focusable group named by what it shows). */
const node = (page: Page, step: string) => page.getByRole('group', { name: new RegExp(`^Step ${step},`) });

const definition = (name: string, add: string, times: string, addDependsOn: string[], template: string) =>
  JSON.stringify(
    {
      name,
      description: 'Adds, then multiplies what the first step found by ten.',
      steps: [
        {
          id: 'add',
          agentId: add,
          input: { expression: '1+2' },
          ...(addDependsOn.length ? { dependsOn: addDependsOn } : {}),
        },
        // A step reads an earlier step's output through a template: {{ steps.<id>.output.<field> }}.
        {
          id: 'times',
          agentId: times,
          input: { expression: 'x * 10', variables: { x: template } },
          dependsOn: ['add'],
        },
      ],
    },
    null,
    2,
  );

test('the new workflow’s starter saves as it is, and its step is given the run’s input', async ({ page, request }) => {
  const admin = await adminApi(request);
  const agent = await admin.createAgent(`wf-starter-${Date.now()}`);
  await signIn(page);
  await page.goto('/workflows/new');
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(editor).toHaveValue(/"input": "\{\{ input \}\}"/);
  // The starter names the first agent listed: this test's own, so that the run below is known.
  const text = (await editor.inputValue()).replace(/"agentId": "[^"]*"/, `"agentId": "${agent.id}"`);
  await editor.fill(text.replace('My workflow', `Starter ${agent.id}`));
  // Leaving with the definition unsaved asks first; staying keeps it.
  const agentsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' });
  await agentsLink.click();
  const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
  await expect(leave).toContainText('The workflow definition is not saved');
  await leave.getByRole('button', { name: 'Stay' }).click();
  await expect(page).toHaveURL(/\/workflows\/new$/);
  await expect(editor).toHaveValue(new RegExp(`Starter ${agent.id}`));
  // Saving goes to what was saved, without asking.
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Starter ${agent.id}` })).toBeVisible();
  const workflowId = page.url().split('/').pop() ?? '';
  createdWorkflows.push(workflowId);

  const run = await admin.startRun(workflowId, { expression: '6*7' });
  await expect
    .poll(async () => {
      const res = await request.get(`/api/v1/workflow-runs/${run.id}`, { headers: admin.headers });
      return ((await res.json()) as { data: { status: string } }).data.status;
    })
    .toBe('succeeded');
});

test('a workflow is defined in the editor, run from its page and followed live on its graph', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  // What the server pushes on the Socket.IO connection.
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(String(frame.payload))));
  const admin = await adminApi(request);
  const stamp = Date.now();
  const adder = await admin.createAgent(`wf-add-${stamp}`);
  const multiplier = await admin.createAgent(`wf-times-${stamp}`);
  const name = `Calculator chain ${stamp}`;

  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();
  await page.getByRole('link', { name: 'New workflow' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'New workflow' })).toBeVisible();
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  const save = page.getByRole('button', { name: 'Save workflow' });

  // A syntax error says where it is.
  await editor.fill('{\n  "name": "x",\n  "steps": [}\n');
  await expect(editor).toHaveAccessibleDescription(/Line 3, column 13: Unexpected “}”/);
  await expect(save).toBeDisabled();

  // A cycle: each step in it says so, in the list of steps and on its node of the graph.
  await editor.fill(definition(name, adder.id, multiplier.id, ['times'], '{{ steps.add.output.result }}'));
  await expect(page.getByRole('list', { name: 'Problems of step add' })).toContainText(
    'dependency cycle: add → times → add',
  );
  await expect(page.getByRole('list', { name: 'Problems of step times' })).toContainText(
    'dependency cycle: times → add → times',
  );
  await expect(node(page, 'add')).toHaveAccessibleName(/dependency cycle: add → times → add/);
  await expect(node(page, 'times')).toHaveAccessibleName(/dependency cycle: times → add → times/);
  await expect(node(page, 'add').locator('.wf-node')).toHaveAttribute('data-invalid', 'true');
  await expect(node(page, 'add').locator('.wf-node')).toHaveCSS('border-top-color', 'rgb(201, 42, 42)');
  await expect(node(page, 'add')).toContainText('dependency cycle');
  await expect(page.getByText('2 problems to fix before saving.')).toBeVisible();
  await expect(save).toBeDisabled();
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'workflow-editor.png'), fullPage: true });

  // Without the cycle, but with a template the server cannot parse: its refusal lands on the step it names.
  await editor.fill(definition(name, adder.id, multiplier.id, [], '{{ steps.add.output.result + }}'));
  await expect(page.getByText('No problems found.')).toBeVisible();
  await expect(node(page, 'add')).not.toHaveAccessibleName(/cycle/);
  await save.click();
  await expect(page.getByRole('alert').filter({ hasText: 'The workflow was not created' })).toContainText(
    'VALIDATION_FAILED',
  );
  await expect(page.getByRole('list', { name: 'Problems of step times' })).toContainText('input/variables/x');
  // Said where they are (on the step; nothing is listed above), and the editor's own check does not say "none".
  await expect(page.getByText('The server refused the definition: its reasons are marked on the steps.')).toBeVisible();
  await expect(page.getByText('No problems found.')).toHaveCount(0);
  await expect(
    page.getByText('The server’s problems are marked on the steps: save again once they are fixed.'),
  ).toBeVisible();
  await expect(node(page, 'times')).toHaveAttribute('aria-label', /^Step times, agent wf-times-\d+: /);
  await expect(page.getByRole('list', { name: 'Problems of step add' })).toHaveCount(0);

  // Put right, the server's reasons stay shown until it is saved again.
  await editor.fill(definition(name, adder.id, multiplier.id, [], '{{ steps.add.output.result }}'));
  await expect(
    page.getByText('The server’s problems are marked on the steps: save again once they are fixed.'),
  ).toBeVisible();
  await save.click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  createdWorkflows.push(page.url().split('/').pop() ?? '');
  await expect(node(page, 'add')).toHaveAccessibleName(`Step add, agent wf-add-${stamp}`);
  await expect(node(page, 'times')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Steps' })).toContainText(`wf-times-${stamp}`);
  // The empty list's title is under the "Recent runs" heading, a level below it.
  await expect(page.getByRole('heading', { level: 3, name: 'No runs yet' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'No runs yet' })).toHaveCount(0);
  await expectAccessible(page);

  // The second step's agent is paused: the run can only finish on the page through live events.
  await admin.setAgentStatus(multiplier.id, 'paused');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Run ${name}` });
  await expect(dialog.getByRole('textbox', { name: 'Input' })).toHaveValue('{}');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: /^Run / })).toBeVisible();
  const status = page.getByRole('group', { name: 'Run status' });
  await expect(status).toContainText('running');
  await expect(node(page, 'add')).toContainText('succeeded');
  await expect(node(page, 'times')).toContainText('queued');
  await expect(node(page, 'times')).toHaveAccessibleName(`Step times, agent wf-times-${stamp}, queued`);
  await markPage(page);

  await admin.setAgentStatus(multiplier.id, 'active');
  await expect(node(page, 'times')).toContainText('succeeded');
  await expect(node(page, 'times')).toHaveAccessibleName(`Step times, agent wf-times-${stamp}, succeeded`);
  await expect(node(page, 'times').locator('.wf-node')).toHaveAttribute('data-status', 'succeeded');
  await expect(status).toContainText('succeeded');
  expect(frames.some((f) => f.includes('"run.updated"') && f.includes('"status":"succeeded"'))).toBe(true);
  await expect(page.getByRole('region', { name: 'Output of times' })).toContainText('"result": 30');
  // Each output's toggle is named by its words alone, not the arrow drawn beside them.
  await expect(page.getByRole('button', { name: 'Output of times', exact: true })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
  await expect(page.getByRole('region', { name: 'Output of add' })).toContainText('"result": 3');
  await expect(page.getByRole('region', { name: 'Run output' })).toContainText('"result": 30');
  await expect(page.getByRole('button', { name: 'Cancel run' })).toHaveCount(0);
  await expectNotReloaded(page);
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'workflow-run.png'), fullPage: true });

  // The workflow's page lists the run.
  await page.getByRole('link', { name: `← ${name}` }).click();
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByRole('row')).toHaveCount(2);
  await expect(runs).toContainText('succeeded');

  // A change of the description alone keeps the version; the editor starts from the saved definition.
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Edit ${name}` })).toBeVisible();
  await expect(editor).toHaveValue(/"id": "times"/);
  const saved = JSON.parse(await editor.inputValue()) as { description: string };
  await editor.fill(JSON.stringify({ ...saved, description: 'Three, times ten.' }, null, 2));
  await save.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('Three, times ten.')).toBeVisible();
  await expect(page.getByText(/^Version 1 · 2 steps/)).toBeVisible();
  expect(csp).toEqual([]);
});

test('a run waiting for a paused agent is cancelled from its page', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const stamp = Date.now();
  const agent = await admin.createAgent(`wf-paused-${stamp}`);
  await admin.setAgentStatus(agent.id, 'paused');
  const workflow = await admin.createWorkflow({
    name: `Waits ${stamp}`,
    steps: [
      { id: 'wait', agentId: agent.id, input: { expression: '1+2' } },
      { id: 'after', agentId: agent.id, input: { expression: '2+2' }, dependsOn: ['wait'] },
    ],
  });
  const run = await admin.startRun(workflow.id);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
  const status = page.getByRole('group', { name: 'Run status' });
  await expect(status).toContainText('running');
  await expect(node(page, 'wait')).toContainText('queued');
  await expect(node(page, 'after')).toContainText('pending');
  await expectAccessible(page);
  await markPage(page);

  await page.getByRole('button', { name: 'Cancel run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel run' });
  await expect(dialog).toContainText('queued and running steps are cancelled');
  await dialog.getByRole('button', { name: 'Cancel the run' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('The run was cancelled.');
  await expect(status).toContainText('cancelled');
  await expect(node(page, 'wait')).toContainText('cancelled');
  await expect(node(page, 'wait').locator('.wf-node')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByRole('button', { name: 'Cancel run' })).toHaveCount(0);
  await expectNotReloaded(page);
  await expectAccessible(page);
  expect(csp).toEqual([]);
});

test('a workflow is deleted from its page: the list says so, and focus goes on from there', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const name = `Deleted ${Date.now()}`;
  const agent = await admin.createAgent(`wf-delete-${Date.now()}`);
  const workflow = await admin.createWorkflow({
    name,
    steps: [{ id: 'a', agentId: agent.id, input: { expression: '1+1' } }],
  });
  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByRole('button', { name: 'Delete workflow' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete the workflow' }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  const said = page.getByRole('status').filter({ hasText: `Deleted “${name}”` });
  await expect(said).toContainText('its runs stay readable');
  await expect(page.locator(':focus')).toContainText(`Deleted “${name}”`);
  await expect(page.getByRole('link', { name })).toHaveCount(0);
  expect(csp).toEqual([]);
});

test('the list links each workflow, counts its steps and keeps its page in the URL', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await adminApi(request);
  const stamp = Date.now();
  const agent = await admin.createAgent(`wf-list-${stamp}`);
  const names: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    const name = `Listed ${stamp} ${String(i).padStart(2, '0')}`;
    names.push(name);
    await admin.createWorkflow({
      name,
      steps: Array.from({ length: (i % 3) + 1 }, (_, j) => ({
        id: `s${j}`,
        agentId: agent.id,
        input: { expression: `${j}+1` },
        ...(j > 0 ? { dependsOn: [`s${j - 1}`] } : {}),
      })),
    });
  }

  await signIn(page);
  await page.goto('/workflows?size=10');
  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();
  await expect(page.getByLabel('Per page')).toHaveValue('10');
  const table = page.getByRole('table', { name: 'Workflows' });
  await expect(table.getByRole('row')).toHaveCount(11);
  // Newest first: the last one made leads, with its three steps.
  const newest = table.getByRole('row').nth(1);
  await expect(newest.getByRole('link')).toHaveText(names[11]);
  await expect(newest.getByRole('cell').nth(1)).toHaveText('3');
  await expectAccessible(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'workflows.png'), fullPage: true });

  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/size=10/);
  await expect(page).toHaveURL(/page=2/);
  await expect(table.getByRole('row').nth(1)).not.toContainText(names[11]);
  await page.reload();
  await expect(page.getByLabel('Per page')).toHaveValue('10');
  await expect(page.getByText(/^11–/)).toBeVisible();

  await page.goto('/workflows?page=999');
  await expect(page.getByRole('heading', { level: 2, name: 'Nothing on this page' })).toBeVisible();
  await page.getByRole('button', { name: 'Go to the first page' }).click();
  await expect(table).toBeVisible();
  await table.getByRole('link', { name: names[11] }).click();
  await expect(page.getByRole('heading', { level: 1, name: names[11] })).toBeVisible();
  expect(csp).toEqual([]);
});

test('a viewer reads workflows but is offered neither “New workflow” nor “Run”', async ({ page, request }) => {
  const admin = await adminApi(request);
  const stamp = Date.now();
  const agent = await admin.createAgent(`wf-viewer-${stamp}`);
  const workflow = await admin.createWorkflow({
    name: `Read only ${stamp}`,
    steps: [{ id: 'only', agentId: agent.id, input: { expression: '1+2' } }],
  });
  const email = `wf-viewer-${stamp}@console.test`;
  const password = 'a-long-password-for-a-viewer';
  expect((await request.post('/api/v1/auth/register', { data: { email, password, name: 'Viewer' } })).status()).toBe(
    201,
  );

  await signIn(page, email, password);
  await page.goto('/workflows');
  await expect(page.getByRole('heading', { level: 1, name: 'Workflows' })).toBeVisible();
  await expect(page.getByRole('link', { name: `Read only ${stamp}` })).toBeVisible();
  await expect(page.getByText('Defining workflows needs the workflows:write permission.')).toBeVisible();
  await expect(page.getByRole('link', { name: /New workflow/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /New workflow/ })).toHaveCount(0);

  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Read only ${stamp}` })).toBeVisible();
  await expect(node(page, 'only')).toBeVisible();
  await expect(
    page.getByText('Running, editing and deleting workflows needs the workflows:write permission.'),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 3, name: 'No runs that you can see yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete workflow/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
});
