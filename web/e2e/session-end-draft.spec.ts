import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { apiAs, unique } from './helpers';

const signInButton = (page: Page) => page.getByRole('button', { name: 'Sign in' });

async function signInHere(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await signInButton(page).click();
}

const NEW_PASSWORD = 'a-password-after-the-reset';

/**
 * An operator of the test's own, the admin's API, and what ends the operator's session (an admin sets a new
 * password, {@link NEW_PASSWORD}: the console learns it when its refresh is refused).
 */
async function operatorWhoseSessionEnds(request: APIRequestContext, name: string) {
  const admin = await apiAs(request);
  const user = { email: `draft-${unique()}@console.test`, password: 'a-password-before-the-reset' };
  const created = await admin.call<{ id: string }>('post', '/api/v1/users', { ...user, name, role: 'operator' }, 201);
  const endSession = () => admin.call('post', `/api/v1/users/${created.id}/password`, { password: NEW_PASSWORD }, 204);
  return { admin, user, own: await apiAs(request, user.email, user.password), endSession };
}

test('a workflow definition left unsaved when the session ends is back after signing in again', async ({
  page,
  request,
}) => {
  const { user, own, endSession } = await operatorWhoseSessionEnds(request, 'Draft Keeper');
  const agent = await own.createAgent(`calc-${unique()}`, 'calculator');
  await page.goto('/workflows/new');
  await signInHere(page, user.email, user.password);
  const definition = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(definition).toBeVisible();
  const draft = JSON.stringify(
    { name: 'Half-written <b>draft</b>', steps: [{ id: 'first', agentId: agent.id, input: { expression: '1' } }] },
    null,
    2,
  );
  await definition.fill(draft);

  // An admin sets a new password: the session ends, and the console moves to the sign-in page when it learns it
  // (from the save: its refresh is refused).
  await endSession();
  await page
    .getByRole('button', { name: 'Save workflow' })
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await expect(signInButton(page)).toBeVisible();

  await signInHere(page, user.email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/workflows\/new$/);
  await expect(definition).toHaveValue(draft);
  await expect(page.getByRole('alert').filter({ hasText: 'Unsaved changes restored' })).toBeVisible();

  // Kept once: opened again, the editor starts afresh; a sign-out by the user's own hand keeps nothing either.
  await definition.fill(`${draft} `);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(signInButton(page)).toBeVisible();
  await page.goto('/workflows/new');
  await signInHere(page, user.email, NEW_PASSWORD);
  await expect(definition).toBeVisible();
  await expect(definition).not.toHaveValue(/Half-written/);
  await expect(page.getByText('Unsaved changes restored')).toHaveCount(0);
});

test('a restored draft says when the workflow changed since; a sign-out in another tab keeps nothing', async ({
  page,
  context,
  request,
}) => {
  const { admin, user, own, endSession } = await operatorWhoseSessionEnds(request, 'Draft Keeper');
  const agent = await own.createAgent(`calc-${unique()}`, 'calculator');
  const step = { id: 'first', agentId: agent.id, input: { expression: '1' } };
  const workflow = await own.call<{ id: string }>('post', '/api/v1/workflows', { name: 'Shared', steps: [step] }, 201);
  await page.goto(`/workflows/${workflow.id}/edit`);
  await signInHere(page, user.email, user.password);
  const definition = page.getByRole('textbox', { name: 'Workflow definition (JSON)' });
  await expect(definition).toHaveValue(/"Shared"/);
  await definition.fill(JSON.stringify({ name: 'Renamed in the draft', steps: [step] }, null, 2));

  // The session ends; meanwhile an admin changes the workflow.
  await endSession();
  await admin.call('patch', `/api/v1/workflows/${workflow.id}`, { description: 'Changed by an admin' }, 200);
  await page
    .getByRole('button', { name: 'Save workflow' })
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await expect(signInButton(page)).toBeVisible();
  await signInHere(page, user.email, NEW_PASSWORD);
  await expect(definition).toHaveValue(/Renamed in the draft/);
  await expect(page.getByRole('alert').filter({ hasText: 'Unsaved changes restored' })).toContainText(
    'The workflow was changed since you began them: saving them replaces that change',
  );

  // Signed out by the user's own hand in another tab: this tab keeps nothing either.
  await definition.fill(JSON.stringify({ name: 'Second draft', steps: [step] }, null, 2));
  const other = await context.newPage();
  await other.goto('/');
  await other.getByRole('button', { name: 'Sign out' }).click();
  await expect(signInButton(page)).toBeVisible();
  await signInHere(page, user.email, NEW_PASSWORD);
  await expect(definition).toHaveValue(/"Shared"/);
  await expect(page.getByText('Unsaved changes restored')).toHaveCount(0);
});

test('a new task’s agent and input left unsent when the session ends are back after signing in again', async ({
  page,
  request,
}) => {
  const { user, own, endSession } = await operatorWhoseSessionEnds(request, 'Task Draft Keeper');
  const name = `calc-${unique()}`;
  const agent = await own.createAgent(name, 'calculator');
  await page.goto('/tasks/new');
  await signInHere(page, user.email, user.password);
  const agentField = page.getByRole('combobox', { name: 'Agent' });
  await agentField.selectOption({ label: `${name} (calculator)` });
  await page.getByLabel('expression').fill('6 * <b>7</b>');

  // The session ends; the console learns it from the submit (its refresh is refused).
  await endSession();
  await page
    .getByRole('button', { name: 'Submit task' })
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await expect(signInButton(page)).toBeVisible();

  await signInHere(page, user.email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/tasks\/new$/);
  await expect(agentField).toHaveValue(agent.id);
  await expect(page.getByLabel('expression')).toHaveValue('6 * <b>7</b>');
  await expect(page.getByRole('alert').filter({ hasText: 'Unsaved changes restored' })).toBeVisible();

  // Kept once: a sign-out by the user's own hand keeps nothing.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(signInButton(page)).toBeVisible();
  await page.goto('/tasks/new');
  await signInHere(page, user.email, NEW_PASSWORD);
  await expect(agentField).toHaveValue('');
  await expect(page.getByText('Unsaved changes restored')).toHaveCount(0);
});
