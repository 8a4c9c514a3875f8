import { expect, test } from '@playwright/test';
import { apiWithAgent, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

interface Run {
  id: string;
  status: string;
  steps: { id: string; taskId: string | null }[];
}

test("a workflow run's failed step task offers no Retry of its own: it names its step and links to its run", async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { stamp, api, agent } = await apiWithAgent(request, made, 'step-task');
  // A division by zero fails for good at its first attempt: the step, then the run, end failed.
  const workflow = await api.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: `step-task-${stamp}`, steps: [{ id: 'divide', agentId: agent.id, input: { expression: '1 / 0' } }] },
    201,
  );
  made.workflows.push(workflow.id);
  const started = await api.call<Run>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);
  const runOf = () => api.call<Run>('get', `/api/v1/workflow-runs/${started.id}`, undefined, 200);
  await expect.poll(async () => (await runOf()).status, { timeout: 30_000 }).toBe('failed');
  const stepTask = (await runOf()).steps.find((s) => s.id === 'divide')!.taskId!;
  // A task of its own that failed the same way, for what its page offers.
  const own = await api.createTask(agent.id, { expression: '1 / 0' });

  await signIn(page);
  await page.goto(`/tasks/${own.id}`);
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('failed', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
  await expect(page.getByTestId('task-step-of')).toHaveCount(0);

  await page.goto(`/tasks/${stepTask}`);
  await expect(page.getByRole('group', { name: 'Task status' })).toContainText('failed');
  const short = started.id.slice(0, 8);
  await expect(page.getByTestId('task-step-of')).toHaveText(
    `Step divide of workflow run ${short}. To run this step again, retry its workflow run.`,
  );
  // The API refuses a step task's own retry (409): the page does not offer it.
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
  await expectAccessible(page);

  await page.getByRole('link', { name: `workflow run ${short}` }).click();
  await expect(page).toHaveURL(`/workflows/${workflow.id}/runs/${started.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Run ${short}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toBeVisible();
  expect(csp).toEqual([]);
});
