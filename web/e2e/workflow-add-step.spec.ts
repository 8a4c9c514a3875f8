import { expect, test } from '@playwright/test';
import { apiWithAgent, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

test('a step is added to the definition by picking its agent by name, after the last step, and saved', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { stamp, api: admin, agent: first } = await apiWithAgent(request, made, 'add-step-first');
  const second = await admin.createAgent(`Summarizer ${stamp}`, 'calculator');
  made.agents.push(second.id);

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
  await expect(adding).toContainText('each taken from the output of step “first” where one fits');
  await expectAccessible(page);
  await adding.getByRole('button', { name: 'Add step' }).click();

  const id = `summarizer_${stamp}`;
  await expect(editor).toHaveValue(new RegExp(`"id": "${id}"`));
  await expect(adding.getByRole('status')).toHaveText(`Added step “${id}” after “first”.`);
  const definition = JSON.parse(await editor.inputValue()) as { steps: unknown[] };
  // Built from the calculator's input schema: its expression, from the result of the calculator before it.
  expect(definition.steps).toEqual([
    { id: 'first', agentId: first.id, input: '{{ input }}' },
    {
      id,
      agentId: second.id,
      input: { expression: '{{ $string(steps.first.output.result) }}' },
      dependsOn: ['first'],
    },
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

  // The steps as written run: the second evaluates the first's result.
  const workflowId = page.url().split('/').pop() ?? '';
  const run = await admin.call<{ id: string }>(
    'post',
    `/api/v1/workflows/${workflowId}/runs`,
    { input: { expression: '6 * 7' } },
    202,
  );
  await expect
    .poll(async () => {
      const state = await admin.call<{ status: string; steps: { id: string; output: unknown }[] }>(
        'get',
        `/api/v1/workflow-runs/${run.id}`,
        undefined,
        200,
      );
      return { status: state.status, output: state.steps.find((s) => s.id === id)?.output };
    })
    .toEqual({ status: 'succeeded', output: { result: 42 } });
});

test('a field that nothing before it gives is left for the operator to fill, and said so', async ({
  page,
  request,
}) => {
  const { stamp, api: admin, agent: calculator } = await apiWithAgent(request, made, 'calc');
  const processor = await admin.createAgent(`Records ${stamp}`, 'data-processor', {
    pipeline: [{ limit: { count: 10 } }],
  });
  made.agents.push(processor.id);

  await signIn(page);
  await page.goto('/workflows/new');
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(editor).toHaveValue(/"id": "first"/);
  await editor.fill((await editor.inputValue()).replace(/"agentId": "[^"]*"/, `"agentId": "${calculator.id}"`));
  const adding = page.getByRole('region', { name: 'Add a step' });
  await adding.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `Records ${stamp} (data-processor)` });
  await adding.getByRole('button', { name: 'Add step' }).click();

  const id = `records_${stamp}`;
  await expect(adding.getByRole('status')).toHaveText(
    `Added step “${id}” after “first”. Fill in “records” in the JSON above.`,
  );
  const { steps } = JSON.parse(await editor.inputValue()) as { steps: { id: string; input: unknown }[] };
  expect(steps.find((s) => s.id === id)?.input).toEqual({ records: [] });
});

test('"Add step" waits for the agent types; without them it hands the step before\'s output on whole, and says so', async ({
  page,
  request,
}) => {
  const { stamp, agent } = await apiWithAgent(request, made, 'types-wait');
  // The agent types are held back, then refused (the platform unreachable just then) until let through.
  let answer = () => {};
  const held = new Promise<void>((resolve) => (answer = resolve));
  let refusing = true;
  await page.route('**/api/v1/agent-types', async (route) => {
    await held;
    await (refusing ? route.abort('connectionrefused') : route.fallback());
  });

  await signIn(page);
  await page.goto('/workflows/new');
  const editor = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(editor).toHaveValue(/"id": "first"/);
  await editor.fill((await editor.inputValue()).replace(/"agentId": "[^"]*"/, `"agentId": "${agent.id}"`));
  const adding = page.getByRole('region', { name: 'Add a step' });
  await adding.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `types-wait-${stamp} (calculator)` });
  const waiting = adding.getByRole('button', { name: /^Add step \(Loading the agent types…\)/ });
  await expect(waiting).toBeVisible();
  await expect(adding.getByText('Loading the agent types…')).toBeVisible();
  const before = await editor.inputValue();
  await expect(waiting).toHaveAttribute('aria-disabled', 'true');
  await waiting.click({ force: true });
  await expect(adding.getByRole('status')).toHaveText('');
  expect(await editor.inputValue()).toBe(before);

  answer();
  await expect(adding).toContainText(
    'The agent types could not be read: its input will be the output of step “first” whole, not the fields its agent needs',
  );
  await expectAccessible(page);
  await adding.getByRole('button', { name: 'Add step' }).click();
  const id = `types_wait_${stamp}`;
  await expect(adding.getByRole('status')).toHaveText(
    `Added step “${id}” after “first”. Its input is the output of step “first” whole: the agent types could not be read.`,
  );
  const { steps } = JSON.parse(await editor.inputValue()) as { steps: unknown[] };
  expect(steps[1]).toEqual({ id, agentId: agent.id, input: '{{ steps.first.output }}', dependsOn: ['first'] });

  // Read once they can be: the next step's input is built from the agent type's schema again.
  refusing = false;
  await adding.getByRole('button', { name: 'Try again' }).click();
  await expect(adding).toContainText(`each taken from the output of step “${id}” where one fits`);
  await adding.getByRole('button', { name: 'Add step' }).click();
  await expect(adding.getByRole('status')).toHaveText(`Added step “${id}_2” after “${id}”.`);
  const after = JSON.parse(await editor.inputValue()) as { steps: unknown[] };
  expect(after.steps[2]).toEqual({
    id: `${id}_2`,
    agentId: agent.id,
    input: { expression: `{{ $string(steps.${id}.output.result) }}` },
    dependsOn: [id],
  });
});
