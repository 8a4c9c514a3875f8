import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

test('a step is added to the definition by picking its agent by name, after the last step, and saved', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const admin = await apiAs(request);
  const first = await admin.createAgent(`add-step-first-${stamp}`, 'calculator');
  const second = await admin.createAgent(`Summarizer ${stamp}`, 'calculator');
  made.agents.push(first.id, second.id);

  await signIn(page);
  await page.goto('/workflows/new');
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(editor).toHaveValue(/"id": "first"/);
  // The starter names the first agent listed: this test's own, so that the saved steps are known.
  const text = (await editor.inputValue()).replace(/"agentId": "[^"]*"/, `"agentId": "${first.id}"`);
  await editor.fill(text.replace('My workflow', `Two steps ${stamp}`));

  const adding = page.getByRole('region', { name: 'Add a step' });
  await expect(adding.getByRole('button', { name: /^Add step \(Choose an agent first\)/ })).toBeVisible();
  await adding.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `Summarizer ${stamp} (calculator)` });
  await expect(adding.getByRole('combobox', { name: 'After' })).toHaveValue('first');
  await expect(adding).toContainText('Its input will be the output of step “first”, whole');
  await expectAccessible(page);
  await adding.getByRole('button', { name: 'Add step' }).click();

  const id = `summarizer_${stamp}`;
  await expect(editor).toHaveValue(new RegExp(`"id": "${id}"`));
  await expect(adding.getByRole('status')).toHaveText(
    `Added step “${id}” after “first”: its input is in the JSON above.`,
  );
  const definition = JSON.parse(await editor.inputValue()) as { steps: unknown[] };
  expect(definition.steps).toEqual([
    { id: 'first', agentId: first.id, input: '{{ input }}' },
    { id, agentId: second.id, input: '{{ steps.first.output }}', dependsOn: ['first'] },
  ]);
  await expect(page.getByText('No problems found.')).toBeVisible();
  await expect(adding.getByRole('combobox', { name: 'After' })).toHaveValue(id);

  // A definition that does not parse takes no step, and says why.
  await editor.fill('{"name": ');
  await expect(adding.getByRole('button', { name: /^Add step \(Fix the JSON first\)/ })).toBeVisible();
  await editor.fill(JSON.stringify({ name: `Two steps ${stamp}`, ...definition }, null, 2));

  await page.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Two steps ${stamp}` })).toBeVisible();
  made.workflows.push(page.url().split('/').pop() ?? '');
  const rows = page.getByRole('table', { name: 'Steps' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(2)).toContainText(id);
  await expect(rows.nth(2)).toContainText(`Summarizer ${stamp}`);
  expect(csp).toEqual([]);
});
