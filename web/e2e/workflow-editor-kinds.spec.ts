import { expect, test } from '@playwright/test';
import { apiWithAgent, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

interface StoredWorkflow {
  name: string;
  steps: unknown[];
  triggers: { on: string; agentId?: string }[];
  triggersPausedReason: string | null;
}

test('the editor takes approval and wait steps and triggers; a change that leaves the triggers leaves them paused', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { stamp, api: admin, agent } = await apiWithAgent(request, made, 'kinds-calc');
  // Made with an API key, then the key revoked: the workflow's triggers are paused.
  const key = await admin.call<{ id: string; key: string }>(
    'post',
    '/api/v1/api-keys',
    { name: `editor-${stamp}`, scopes: ['workflows:read', 'workflows:write', 'agents:read', 'tasks:read'] },
    201,
  );
  const res = await request.post('/api/v1/workflows', {
    headers: { 'X-API-Key': key.key },
    data: {
      name: `Kinds ${stamp}`,
      steps: [
        { id: 'calc', agentId: agent.id, input: { expression: '1+2' } },
        { id: 'gate', kind: 'approval', timeoutMs: 3_600_000, dependsOn: ['calc'] },
        { id: 'pause', kind: 'wait', durationMs: 1000, dependsOn: ['gate'] },
      ],
      triggers: [{ on: 'task.failed', agentId: agent.id }],
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const id = ((await res.json()) as { data: { id: string } }).data.id;
  made.workflows.push(id);
  await admin.call('delete', `/api/v1/api-keys/${key.id}`, undefined, 204);
  const stored = () => admin.call<StoredWorkflow>('get', `/api/v1/workflows/${id}`, undefined, 200);
  const paused = await stored();
  expect(paused.triggersPausedReason).not.toBeNull();

  await signIn(page);
  await page.goto(`/workflows/${id}/edit`);
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(editor).toHaveValue(/"kind": "approval"/);
  await expect(editor).toHaveValue(/"triggers": \[/);
  await expect(page.getByText('No problems found.')).toBeVisible();
  await expectAccessible(page);

  // A new name only: the steps and the paused triggers stay as they were.
  await editor.fill((await editor.inputValue()).replace(`Kinds ${stamp}`, `Kinds renamed ${stamp}`));
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Kinds renamed ${stamp}` })).toBeVisible();
  const renamed = await stored();
  expect(renamed).toMatchObject({ steps: paused.steps, triggers: paused.triggers });
  expect(renamed.triggersPausedReason).toBe(paused.triggersPausedReason);

  // A trigger the server would refuse is named before saving.
  await page.goto(`/workflows/${id}/edit`);
  const text = await editor.inputValue();
  await editor.fill(text.replace('"task.failed"', '"run.failed"'));
  await expect(page.getByText('run events need workflowId')).toBeVisible();
  await expect(page.getByText('only task events take agentId')).toBeVisible();

  // Changed triggers are saved, and run again from now.
  await editor.fill(text.replace('"task.failed"', '"task.succeeded"'));
  await expect(page.getByText('No problems found.')).toBeVisible();
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Kinds renamed ${stamp}` })).toBeVisible();
  await expect.poll(async () => (await stored()).triggers).toEqual([{ on: 'task.succeeded', agentId: agent.id }]);
  expect((await stored()).triggersPausedReason).toBeNull();
  expect(csp).toEqual([]);
});
