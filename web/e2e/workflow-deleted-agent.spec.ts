import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const created = deleteAfterAll();

/** A step's node on the graph (xyflow renders each as a focusable group named by what it shows). */
const node = (page: Page, step: string) => page.getByRole('group', { name: new RegExp(`^Step ${step},`) });
/** A step's row in the table of steps. */
const stepRow = (page: Page, step: string) =>
  page
    .getByRole('table', { name: 'Steps' })
    .getByRole('row')
    .filter({ hasText: new RegExp(`^${step}`) });

/** A workflow "first → second → gate", each task step on an agent of its own; the agents are returned too. */
async function workflowOfTwoAgents(request: APIRequestContext, name: string) {
  const admin = await apiAs(request);
  const stamp = unique();
  const kept = await admin.createAgent(`kept-${stamp}`, 'calculator');
  const doomed = await admin.createAgent(`doomed-${stamp}`, 'calculator');
  created.agents.push(kept.id, doomed.id);
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    {
      name,
      steps: [
        { id: 'first', agentId: kept.id, input: { expression: '1+2' } },
        { id: 'second', agentId: doomed.id, input: { expression: '2+3' }, dependsOn: ['first'] },
        { id: 'gate', kind: 'approval', dependsOn: ['second'] },
      ],
    },
    201,
  );
  created.workflows.push(workflow.id);
  return { admin, workflow, kept, doomed, stamp };
}

test('a step whose agent was deleted is marked, and Run says why it is off instead of failing', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const name = `Deleted agent <img src=x onerror=alert(1)> ${unique()}`;
  const { admin, workflow, doomed, stamp } = await workflowOfTwoAgents(request, name);
  await admin.deleteAgent(doomed.id);
  // The API refuses the run: the page must say so before anyone presses Run.
  await admin.call('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 409);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  // The name is text, never markup.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page.locator('main img')).toHaveCount(0);

  const notice = page.getByRole('status').filter({ hasText: 'This workflow cannot run' });
  await expect(notice).toContainText('The agent of step second has been deleted');
  await expect(notice).toContainText('Edit the workflow to give this step another agent');

  await expect(stepRow(page, 'second')).toContainText('agent deleted');
  await expect(stepRow(page, 'second').getByRole('link')).toHaveCount(0);
  await expect(stepRow(page, 'first')).not.toContainText('agent deleted');
  await expect(stepRow(page, 'first').getByRole('link', { name: `kept-${stamp}` })).toBeVisible();
  await expect(stepRow(page, 'gate')).not.toContainText('agent deleted');

  await expect(node(page, 'second')).toHaveAccessibleName(/: agent deleted$/);
  await expect(node(page, 'second')).toContainText('agent deleted');
  await expect(node(page, 'second').locator('.wf-node')).toHaveAttribute('data-invalid', 'true');
  await expect(node(page, 'first').locator('.wf-node')).not.toHaveAttribute('data-invalid', 'true');
  await expect(node(page, 'gate')).not.toHaveAccessibleName(/agent deleted/);

  const run = page.getByRole('button', { name: 'Run (The agent of step second has been deleted)' });
  await expect(run).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveCount(0);
  await run.hover();
  await expect(page.getByRole('tooltip')).toHaveText('The agent of step second has been deleted');
  await run.click({ force: true });
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // Editing stays open to fix the step.
  await expect(page.getByRole('link', { name: 'Edit' })).toBeVisible();
  await expectAccessible(page);
  expect(csp).toEqual([]);
});

test('an agent deleted while the page is open: the refused run marks its step', async ({ page, request }) => {
  const csp = watchCsp(page);
  const name = `Deleted while open ${unique()}`;
  const { admin, workflow, doomed } = await workflowOfTwoAgents(request, name);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(node(page, 'second')).toBeVisible();
  await expect(page.getByText('This workflow cannot run')).toHaveCount(0);
  await expect(stepRow(page, 'second')).not.toContainText('agent deleted');

  await admin.deleteAgent(doomed.id);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Run ${name}` });
  await expect(dialog.getByRole('textbox', { name: 'Input' })).toHaveValue('{}');
  // Clicked once the dialog has finished opening: a click during its transition may land on nothing.
  await dialog.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(dialog.getByRole('alert')).toContainText('The agent of step second has been deleted');
  await expect(dialog.getByRole('button', { name: 'Start run' })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(page.getByRole('status').filter({ hasText: 'This workflow cannot run' })).toBeVisible();
  await expect(stepRow(page, 'second')).toContainText('agent deleted');
  await expect(page.getByRole('button', { name: 'Run (The agent of step second has been deleted)' })).toBeVisible();
  expect(csp).toEqual([]);
});

test('a trigger whose agent was deleted is marked as text, without a link', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const stamp = unique();
  const kept = await admin.createAgent(`kept-trigger-${stamp}`, 'calculator');
  const doomed = await admin.createAgent(`doomed-trigger-${stamp}`, 'calculator');
  created.agents.push(kept.id, doomed.id);
  const otherName = `Upstream <img src=x onerror=alert(1)> ${stamp}`;
  const other = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: otherName, steps: [{ id: 'up', agentId: kept.id, input: { expression: '2+2' } }] },
    201,
  );
  created.workflows.push(other.id);
  const name = `Deleted trigger agent ${stamp}`;
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    {
      name,
      steps: [{ id: 'only', agentId: kept.id, input: { expression: '1+2' } }],
      triggers: [
        { on: 'task.failed', agentId: kept.id },
        { on: 'task.succeeded', agentId: doomed.id },
        { on: 'task.cancelled' },
        { on: 'run.failed', workflowId: other.id },
      ],
    },
    201,
  );
  created.workflows.push(workflow.id);
  await admin.deleteAgent(doomed.id);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const triggers = page.getByRole('table', { name: 'Triggers' });
  const gone = triggers.getByRole('row', { name: /task\.succeeded/ });
  await expect(gone).toContainText('agent deleted');
  await expect(gone).toContainText(`agent ${doomed.id.slice(0, 8)}`);
  await expect(gone.getByRole('link')).toHaveCount(0);
  const live = triggers.getByRole('row', { name: /task\.failed/ });
  await expect(live.getByRole('link', { name: `agent kept-trigger-${stamp}` })).toBeVisible();
  await expect(live).not.toContainText('agent deleted');
  // Names are text, never markup.
  const upstream = triggers.getByRole('row', { name: /run\.failed/ });
  await expect(upstream.getByRole('link', { name: `workflow ${otherName}` })).toBeVisible();
  await expect(upstream).not.toContainText('agent deleted');
  await expect(page.locator('main img')).toHaveCount(0);
  await expect(triggers.getByRole('row', { name: /task\.cancelled/ })).toContainText('any agent');
  await expect(triggers.getByRole('row', { name: /task\.cancelled/ })).not.toContainText('agent deleted');
  await expectAccessible(page);
  expect(csp).toEqual([]);
});
