import { type APIRequestContext, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiToken, apiWithAgent, deleteAfterAll, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/** A new operator, created by the admin. */
async function createOperator(request: APIRequestContext): Promise<{ email: string; password: string }> {
  const admin = await apiToken(request, ADMIN.email, ADMIN.password);
  const user = { email: `key-owner-${unique()}@console.test`, password: 'an-operator-password-for-tests' };
  const res = await request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${admin}` },
    data: { ...user, name: 'Key owner', role: 'operator' },
  });
  expect(res.status(), await res.text()).toBe(201);
  return user;
}

/** A new operator, their API as them, and a calculator agent of theirs named `<prefix>-<stamp>`. */
async function operatorWithAgent(request: APIRequestContext, prefix: string) {
  const owner = await createOperator(request);
  return { owner, ...(await apiWithAgent(request, made, prefix, owner)) };
}

test('revoking a key pauses the schedules it made and says why; a rotation keeps them running', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { stamp, owner, api, agent } = await operatorWithAgent(request, 'revocation-calc');
  const scheduleWithNewKey = async (keyName: string, scheduleName: string) => {
    const { key } = await api.call<{ key: string }>(
      'post',
      '/api/v1/api-keys',
      { name: keyName, scopes: ['schedules:read', 'schedules:write', 'agents:read', 'tasks:write'] },
      201,
    );
    const res = await request.post('/api/v1/schedules', {
      headers: { 'X-API-Key': key },
      data: { name: scheduleName, target: { agentId: agent.id, input: { expression: '1+1' } }, everyMs: 3_600_000 },
    });
    expect(res.status(), await res.text()).toBe(201);
    made.schedules.push(((await res.json()) as { data: { id: string } }).data.id);
  };
  await scheduleWithNewKey(`leaked-${stamp}`, `Leaked key’s schedule ${stamp}`);
  await scheduleWithNewKey(`rotated-${stamp}`, `Rotated key’s schedule ${stamp}`);

  await signIn(page, owner.email, owner.password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'API keys', exact: true }).click();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);

  const revoke = async (keyName: string, keepRunning: boolean) => {
    await page
      .getByRole('row', { name: new RegExp(keyName) })
      .getByRole('button', { name: `Revoke ${keyName}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Revoke ${keyName}` });
    // Counted: each key made one schedule.
    await expect(dialog).toContainText(
      'It created or last changed 1 running schedule: it is paused or disabled with it.',
    );
    const keep = dialog.getByRole('checkbox', { name: /Keep its schedules, webhooks and workflow triggers running/ });
    await expect(keep).not.toBeChecked();
    if (keepRunning) {
      await keep.check();
      await expect(dialog).toContainText('It created or last changed 1 running schedule: it keeps running.');
      await expectAccessible(page);
    }
    await dialog.getByRole('button', { name: 'Revoke the key' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('row', { name: new RegExp(keyName) })).toHaveCount(0);
  };
  await revoke(`leaked-${stamp}`, false);
  await revoke(`rotated-${stamp}`, true);

  await nav.getByRole('link', { name: 'Schedules', exact: true }).click();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  const leaked = page.getByRole('row', { name: new RegExp(`Leaked key’s schedule ${stamp}`) });
  await expect(leaked).toContainText('paused');
  await expect(leaked).toContainText('The API key that created or last changed it was revoked');
  await expect(leaked).toContainText('none while paused');
  const rotated = page.getByRole('row', { name: new RegExp(`Rotated key’s schedule ${stamp}`) });
  await expect(rotated).toContainText('active');
  await expect(rotated).not.toContainText('was revoked');
  await expectAccessible(page);

  // Resumed by its owner, it runs again and the reason goes.
  await leaked.getByRole('button', { name: /^Resume/ }).click();
  await expect(leaked).toContainText('active');
  await expect(leaked).not.toContainText('was revoked');
  expect(csp).toEqual([]);
});

test('a workflow whose key was revoked shows its triggers paused, and its owner resumes them', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const { stamp, owner, api, agent } = await operatorWithAgent(request, 'trigger-calc');
  const keyName = `provisioner-${stamp}`;
  const { id: keyId, key } = await api.call<{ id: string; key: string }>(
    'post',
    '/api/v1/api-keys',
    { name: keyName, scopes: ['workflows:read', 'workflows:write', 'agents:read', 'tasks:read'] },
    201,
  );
  const name = `Triggered by a key ${stamp}`;
  const res = await request.post('/api/v1/workflows', {
    headers: { 'X-API-Key': key },
    data: {
      name,
      steps: [{ id: 'a', agentId: agent.id, input: { expression: '1+1' } }],
      triggers: [{ on: 'task.failed', agentId: agent.id }],
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const workflowId = ((await res.json()) as { data: { id: string } }).data.id;
  made.workflows.push(workflowId);
  await api.call('delete', `/api/v1/api-keys/${keyId}`, undefined, 204);

  await signIn(page, owner.email, owner.password);
  // The list marks it, the reason in the badge's words for screen readers and on hover.
  const reason = 'The API key that created or last changed the workflow was revoked';
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Workflows', exact: true }).click();
  const listed = page.getByRole('table', { name: 'Workflows' }).getByRole('row', { name: new RegExp(name) });
  const badge = listed.getByText('Triggers paused');
  await expect(badge).toBeVisible();
  await expect(listed).toContainText(`Triggers paused: ${reason}`);
  await expect(listed.locator(`[title="${reason}"]`)).toBeVisible();
  await expectAccessible(page);
  await listed.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const triggers = page.getByRole('table', { name: 'Triggers' });
  await expect(triggers.getByRole('row', { name: /task\.failed/ })).toContainText(`agent trigger-calc-${stamp}`);
  const notice = page.getByRole('status').filter({ hasText: 'Triggers paused' });
  await expect(notice).toContainText(reason);
  await expectAccessible(page);
  await notice.getByRole('button', { name: 'Resume triggers' }).click();
  await expect(notice).toHaveCount(0);
  await expect(page.getByText('Triggers resumed: they start runs from now on.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Triggers' })).toBeFocused();
  await expect(triggers).toBeVisible();
  // Resumed, the list no longer marks it.
  await nav.getByRole('link', { name: 'Workflows', exact: true }).click();
  await expect(listed).toBeVisible();
  await expect(listed).not.toContainText('Triggers paused');
  expect(csp).toEqual([]);
});
