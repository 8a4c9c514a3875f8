import { expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiAs, deleteAfterAll, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const created = deleteAfterAll();

/** A workflow "gate → after": an approval step with a deadline, then a calculator step; one run of it. */
async function waitingRun(request: Parameters<typeof apiAs>[0]): Promise<{ workflowId: string; runId: string }> {
  const admin = await apiAs(request);
  const stamp = unique();
  const agent = await admin.createAgent(`approval-calc-${stamp}`, 'calculator');
  created.agents.push(agent.id);
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    {
      name: `Approval flow ${stamp}`,
      steps: [
        { id: 'gate', kind: 'approval', timeoutMs: 3_600_000 },
        { id: 'after', agentId: agent.id, input: { expression: '2+3' }, dependsOn: ['gate'] },
      ],
    },
    201,
  );
  created.workflows.push(workflow.id);
  const run = await admin.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);
  return { workflowId: workflow.id, runId: run.id };
}

test('an approval step waiting on the run page is approved and the run finishes', async ({ page, request }) => {
  const csp = watchCsp(page);
  const { workflowId, runId } = await waitingRun(request);
  await signIn(page);
  await page.goto(`/workflows/${workflowId}/runs/${runId}`);
  const gate = page.locator('li[data-step="gate"]');
  // The deadline as a date and time (with how soon, the exact ISO time on hover), not as raw ISO text.
  const waits = gate.getByText(/waits for approval, times out at \w{3}, \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(.+\), in /);
  await expect(waits).toBeVisible();
  await expect(waits).not.toContainText(/\d{4}-\d{2}-\d{2}T/);
  await expect(waits.locator('time')).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2}T/);
  await expect(gate.getByText('waiting', { exact: true })).toBeVisible();
  await expectAccessible(page);

  await gate.getByRole('button', { name: 'Approve' }).click();
  const dialog = page.getByRole('dialog', { name: 'Approve step gate' });
  await dialog.getByRole('textbox', { name: /Comment/ }).fill('Looks right <b>to me</b>');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Step gate was approved.' })).toBeVisible();
  await expect(page.getByLabel('Decision on step gate')).toContainText('approved by you');
  // The comment is text, never markup.
  await expect(page.getByLabel('Decision on step gate')).toContainText('Looks right <b>to me</b>');
  // Quoted once, by its <q> element (which adds the marks itself): no marks of its own around it.
  await expect(page.getByLabel('Decision on step gate').locator('q')).toHaveText('Looks right <b>to me</b>');
  await expect(page.getByLabel('Decision on step gate')).not.toContainText(/[“”"]/);
  await expect(page.getByRole('group', { name: 'Run status' }).getByText('succeeded')).toBeVisible();
  await expect(page.locator('li[data-step="after"]').getByText('succeeded', { exact: true })).toBeVisible();
  await expect(gate.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  expect(csp).toEqual([]);
});

test('an approval step is rejected with a comment; the failed run offers to retry its failed steps', async ({
  page,
  request,
}) => {
  const { workflowId, runId } = await waitingRun(request);
  await signIn(page);
  await page.goto(`/workflows/${workflowId}/runs/${runId}`);
  const gate = page.locator('li[data-step="gate"]');
  await gate.getByRole('button', { name: 'Reject' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reject step gate' });
  await expect(dialog.getByRole('textbox', { name: /Comment/ })).toBeFocused();
  await dialog.getByRole('textbox', { name: /Comment/ }).fill('Not this week');
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Step gate was rejected.' })).toBeVisible();
  await expect(page.getByLabel('Decision on step gate')).toContainText('rejected by you');
  await expect(page.getByLabel('Decision on step gate')).toContainText('Not this week');
  await expect(gate.getByText('APPROVAL_REJECTED')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Run status' }).getByText('failed')).toBeVisible();

  // Retrying the run asks for the decision again.
  await expect(page.getByText(/steps that succeeded keep their outputs/)).toBeVisible();
  await page.getByRole('button', { name: 'Retry failed steps' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The run is running again' })).toBeVisible();
  await expect(gate.getByRole('button', { name: 'Approve' })).toBeVisible();
});

test('a decision made elsewhere meanwhile is said so and the run shown as it is', async ({ page, request }) => {
  const { workflowId, runId } = await waitingRun(request);
  await signIn(page);
  await page.goto(`/workflows/${workflowId}/runs/${runId}`);
  const gate = page.locator('li[data-step="gate"]');
  await gate.getByRole('button', { name: 'Approve' }).click();
  const admin = await apiAs(request);
  await admin.call('post', `/api/v1/workflow-runs/${runId}/steps/gate/reject`, { comment: 'first' }, 200);
  await page.getByRole('dialog', { name: 'Approve step gate' }).getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status').filter({ hasText: /decided already/ })).toBeVisible();
  await expect(page.getByLabel('Decision on step gate')).toContainText('rejected by you');
});

test('a step that names a permission says who decides it, and offers no buttons to others', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const user = { email: `approver-${unique()}@console.test`, password: 'an-operator-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name: 'Run creator', role: 'operator' }, 201);
  const operator = await apiAs(request, user.email, user.password);
  const workflow = await operator.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: `Managed gate ${unique()}`, steps: [{ id: 'gate', kind: 'approval', permission: 'users:manage' }] },
    201,
  );
  created.workflows.push(workflow.id);
  const run = await operator.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);

  await signIn(page, user.email, user.password);
  await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
  const gate = page.locator('li[data-step="gate"]');
  await expect(gate.getByText('waits for approval (no deadline)')).toBeVisible();
  await expect(gate.getByTestId('deciders-gate')).toHaveText('Decided by holders of users:manage.');
  await expect(gate.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
  await expect(gate.getByRole('button', { name: 'Approve' })).toBeVisible();
  await expect(gate.getByTestId('deciders-gate')).toHaveCount(0);
});

test('approval and wait steps are named by their kind in the graph, and have no input in the steps table', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const agent = await admin.createAgent(`kinds-calc-${stamp}`, 'calculator');
  created.agents.push(agent.id);
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    {
      name: `Kinds ${stamp}`,
      steps: [
        { id: 'gate', kind: 'approval', timeoutMs: 3_600_000 },
        { id: 'pause', kind: 'wait', durationMs: 3_600_000, dependsOn: ['gate'] },
        { id: 'after', agentId: agent.id, input: { expression: '2+3' }, dependsOn: ['pause'] },
      ],
    },
    201,
  );
  created.workflows.push(workflow.id);
  const run = await admin.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);

  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.locator('.wf-node[data-step="gate"] .wf-node-agent')).toHaveText('approval');
  await expect(page.locator('.wf-node[data-step="pause"] .wf-node-agent')).toHaveText('wait');
  await expect(page.locator('.wf-node[data-step="after"] .wf-node-agent')).toHaveText(`kinds-calc-${stamp}`);
  await expect(page.getByLabel('Step gate, approval', { exact: true })).toBeVisible();
  await expect(page.getByText('no agent')).toHaveCount(0);
  // Only the task step has an input to show.
  const steps = page.getByRole('table', { name: 'Steps' });
  await expect(steps.getByText('Input of after')).toBeVisible();
  await expect(steps.getByText('Input of gate')).toHaveCount(0);
  await expect(steps.getByText('Input of pause')).toHaveCount(0);

  await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
  await expect(page.getByLabel('Step gate, approval, waiting', { exact: true })).toBeVisible();
  await expect(page.locator('.wf-node[data-step="pause"] .wf-node-agent')).toHaveText('wait');
  await expect(page.getByText('no agent')).toHaveCount(0);
});

test('an approver who may not read the run finds the step on Approvals and decides it there', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const approver = { email: `delegate-${unique()}@console.test`, password: 'an-approver-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...approver, name: 'Delegate', role: 'operator' }, 201);
  const name = `Delegated <i>gate</i> ${unique()}`;
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name, steps: [{ id: 'sign-off', kind: 'approval', permission: 'tasks:write', timeoutMs: 3_600_000 }] },
    201,
  );
  created.workflows.push(workflow.id);
  const run = await admin.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);

  const asApprover = await apiAs(request, approver.email, approver.password);
  // The run reaches its step in a moment: the page then lists it.
  await expect
    .poll(async () => (await asApprover.call<{ runId: string }[]>('get', '/api/v1/approvals', undefined, 200)).length)
    .toBeGreaterThan(0);
  await signIn(page, approver.email, approver.password);
  await page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toBeVisible();
  // The workflow's name is text, never markup; the run is not theirs to read, so its step is no link.
  await expect(row.getByRole('link', { name })).toBeVisible();
  await expect(row.getByRole('link', { name: 'sign-off' })).toHaveCount(0);
  await expect(row).toContainText('Holders of tasks:write');
  await expectAccessible(page);

  await row.getByRole('button', { name: `Approve step sign-off of ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Approve step sign-off' });
  await dialog.getByRole('textbox', { name: /Comment/ }).fill('Checked from the list');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Step sign-off was approved.' })).toBeVisible();
  await expect(row).toHaveCount(0);
  // The keyboard user's place is kept: on the next step's Approve, else on the notice, not lost to the page.
  await expect
    .poll(() =>
      page.evaluate(() => {
        const active = document.activeElement;
        return active?.tagName === 'BUTTON' && /^Approve step |^Dismiss$/.test(active.getAttribute('aria-label') ?? '');
      }),
    )
    .toBe(true);

  const decided = await admin.call<{ status: string; steps: { id: string; decision: { comment: string } | null }[] }>(
    'get',
    `/api/v1/workflow-runs/${run.id}`,
    undefined,
    200,
  );
  expect(decided.steps.find((s) => s.id === 'sign-off')?.decision?.comment).toBe('Checked from the list');
  expect(csp).toEqual([]);
});
