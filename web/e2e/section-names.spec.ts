import { expect, test } from '@playwright/test';
import { apiWithAgent, deleteAfterAll, signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/**
 * A collapsible value's toggle is named by its words alone ("Input"), the arrow beside them hidden from assistive
 * technology; whether it is open is its aria-expanded.
 */
test('a task’s Input and Output toggles are named without their arrow', async ({ page, request }) => {
  const { api, agent } = await apiWithAgent(request, made, 'section-names');
  const task = await api.createTask(agent.id, { expression: '6 * 7' });
  await signIn(page);
  await page.goto(`/tasks/${task.id}`);
  await expect(page.getByRole('region', { name: 'Output', exact: true })).toContainText('42');
  const input = page.getByRole('region', { name: 'Input', exact: true }).getByRole('button');
  await expect(input).toHaveAccessibleName('Input');
  await expect(input).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('region', { name: 'Output', exact: true }).getByRole('button')).toHaveAccessibleName(
    'Output',
  );
  // Closed, it is named the same; the arrow still shows which way it is.
  await input.click();
  await expect(input).toHaveAttribute('aria-expanded', 'false');
  await expect(input).toHaveAccessibleName('Input');
  await expect(input).toContainText('▸');
});

/** The empty list of a workflow's runs is titled under the "Recent runs" heading, not beside it. */
test('a workflow without runs says so under its Recent runs heading', async ({ page, request }) => {
  const { api, stamp } = await apiWithAgent(request, made, 'section-names-wf');
  const workflow = await api.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    { name: `section-names-${stamp}`, steps: [{ id: 'ok', kind: 'approval', timeoutMs: 3_600_000 }] },
    201,
  );
  made.workflows.push(workflow.id);
  await signIn(page);
  await page.goto(`/workflows/${workflow.id}`);
  const runs = page.getByRole('region', { name: 'Recent runs' });
  await expect(page.getByRole('heading', { level: 2, name: 'Recent runs' })).toBeVisible();
  await expect(runs.getByRole('heading', { level: 3, name: 'No runs yet' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'No runs yet' })).toHaveCount(0);
});
