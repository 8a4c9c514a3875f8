import { type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();
const AGENT_REASON = 'Only its creator or an admin can change this agent';
const WORKFLOW_REASON = 'Only its creator or an admin can change this workflow';

/** An agent and a workflow running it, made through the API by `who`; the agent has a second config version. */
async function agentAndWorkflow(who: Awaited<ReturnType<typeof apiAs>>, name: string) {
  const agent = await who.createAgent(name, 'calculator');
  made.agents.push(agent.id);
  await who.call('post', `/api/v1/agents/${agent.id}/config`, { config: { precision: 4 } }, 200);
  const workflow = await who.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: `${name} flow`, steps: [{ id: 'add', agentId: agent.id, input: { expression: '1+2' } }] },
    201,
  );
  made.workflows.push(workflow.id);
  return { agent, workflow };
}

async function openAgent(page: Page, id: string, name: string) {
  await page.goto(`/agents/${id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function openWorkflow(page: Page, id: string, name: string) {
  await page.goto(`/workflows/${id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('an operator may change only the agents and workflows they created, and still run the others', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const stamp = Date.now();
  const user = { email: `owner-${stamp}@console.test`, password: 'an-operator-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name: 'Owner', role: 'operator' }, 201);
  const operator = await apiAs(request, user.email, user.password);
  const theirs = await agentAndWorkflow(admin, `admins-${stamp}`);
  const mine = await agentAndWorkflow(operator, `operators-${stamp}`);

  await signIn(page, user.email, user.password);

  // The admin's agent: readable, but pausing, its settings, its configuration and rollback are disabled, saying why.
  await openAgent(page, theirs.agent.id, `admins-${stamp}`);
  const pause = page.getByRole('button', { name: `Pause agent (${AGENT_REASON})` });
  await expect(pause).toBeDisabled();
  await pause.hover();
  await expect(page.getByRole('tooltip')).toHaveText(AGENT_REASON);
  await expect(page.getByRole('textbox', { name: 'Concurrency' })).toBeDisabled();
  await expect(page.getByRole('textbox', { name: 'Name' })).toBeDisabled();
  await expect(page.getByRole('form', { name: 'Settings' })).toContainText(`${AGENT_REASON}.`);
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await expect(page.getByRole('button', { name: `Edit configuration (${AGENT_REASON})` })).toBeDisabled();
  await expect(page.getByRole('button', { name: `Rollback to version 1 (${AGENT_REASON})` })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Compare version 1' })).toBeEnabled();
  await expectAccessible(page);

  // The admin's workflow: Run stays; Edit and Delete are disabled, and so is saving from its editor.
  await openWorkflow(page, theirs.workflow.id, `admins-${stamp} flow`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: `Edit (${WORKFLOW_REASON})` })).toBeDisabled();
  await expect(page.getByRole('button', { name: `Delete workflow (${WORKFLOW_REASON})` })).toBeDisabled();
  await expect(page.getByText(`${WORKFLOW_REASON}; you can still run it.`)).toBeVisible();
  await page.goto(`/workflows/${theirs.workflow.id}/edit`);
  await expect(page.getByText(`${WORKFLOW_REASON}: the definition can be drafted and checked here`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save workflow' })).toBeDisabled();

  // Their own agent and workflow: every action is offered.
  await openAgent(page, mine.agent.id, `operators-${stamp}`);
  await expect(page.getByRole('button', { name: 'Pause agent', exact: true })).toBeEnabled();
  await expect(page.getByRole('textbox', { name: 'Concurrency' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Edit configuration', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Rollback to version 1', exact: true })).toBeEnabled();
  await expect(page.getByText(AGENT_REASON)).toHaveCount(0);

  await openWorkflow(page, mine.workflow.id, `operators-${stamp} flow`);
  await expect(page.getByRole('link', { name: 'Edit', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete workflow', exact: true })).toBeEnabled();
  await expect(page.getByText(WORKFLOW_REASON)).toHaveCount(0);
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Save workflow' })).toBeEnabled();
  expect(csp).toEqual([]);
});

/** Where each of a workflow's buttons is, Run, Edit and Delete, by its words, at the page's current width. */
async function buttonBoxes(page: Page) {
  const actions = page
    .getByRole('main')
    .locator('button, a')
    .filter({ hasText: /^(Run|Edit|Delete workflow)$/ });
  await expect(actions).toHaveCount(3);
  return actions.evaluateAll((elements) =>
    elements.map((e) => {
      const box = e.getBoundingClientRect();
      return `${e.textContent} ${Math.round(box.left)},${Math.round(box.top)}`;
    }),
  );
}

test('on a workflow another user created, Run, Edit and Delete stand where they do on one’s own', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = Date.now();
  const user = { email: `places-${stamp}@console.test`, password: 'an-operator-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name: 'Places', role: 'operator' }, 201);
  const operator = await apiAs(request, user.email, user.password);
  // Names of one length, so that the headings beside the buttons take the same room.
  const theirs = await agentAndWorkflow(admin, `theirs-${stamp}`);
  const mine = await agentAndWorkflow(operator, `mine---${stamp}`);

  await signIn(page, user.email, user.password);
  for (const width of [1280, 900, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await openWorkflow(page, mine.workflow.id, `mine---${stamp} flow`);
    const own = await buttonBoxes(page);
    await openWorkflow(page, theirs.workflow.id, `theirs-${stamp} flow`);
    await expect(page.getByText(`${WORKFLOW_REASON}; you can still run it.`)).toBeVisible();
    expect(await buttonBoxes(page), `at ${width} px`).toEqual(own);
  }
});
