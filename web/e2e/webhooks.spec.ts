import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiAs, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1 (the test server allows private addresses) that answers 200 to every POST. */
class Receiver {
  readonly received: Received[] = [];
  private readonly server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const receiver = new Receiver();
let receiverUrl = '';
const created: { agents: string[] } = { agents: [] };

interface User {
  email: string;
  password: string;
}

test.beforeAll(async () => {
  receiverUrl = await receiver.start();
});

// The browser tests share one database: what is made here goes, so other pages still start empty.
test.afterAll(async ({ request }) => {
  const admin = await apiAs(request);
  const hooks = await admin.call<{ id: string; url: string }[]>('get', '/api/v1/webhooks?limit=100', undefined, 200);
  for (const hook of hooks) {
    if (hook.url.startsWith(receiverUrl)) await admin.call('delete', `/api/v1/webhooks/${hook.id}`, undefined, 204);
  }
  for (const id of created.agents) await admin.deleteAgent(id);
  await receiver.stop();
});

/** A new operator (created by the admin); webhooks receive the events of their creator's tasks. */
async function newOperator(request: APIRequestContext): Promise<User> {
  const admin = await apiAs(request, ADMIN.email, ADMIN.password);
  const user = { email: `hooks-${unique()}@console.test`, password: 'an-operator-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...user, name: 'Webhook operator', role: 'operator' }, 201);
  return user;
}

async function openWebhooks(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
}

test('an operator adds a webhook: refusals on their field, the secret shown once, then listed', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const user = await newOperator(request);
  const url = `${receiverUrl}/hooks/${unique()}`;

  await signIn(page, user.email, user.password);
  await openWebhooks(page);
  await expect(page.getByRole('heading', { name: 'No webhooks that you can see yet' })).toBeVisible();
  await expect(page.getByText('You see the webhooks you added; admins see every webhook.')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'New webhook' }).click();
  const dialog = page.getByRole('dialog', { name: 'New webhook' });
  const urlField = dialog.getByRole('textbox', { name: 'URL' });
  await expect(urlField).toBeFocused();
  // The server checks the URL: its refusal lands on the field.
  await urlField.fill('ftp://example.com/hooks');
  await dialog.getByRole('button', { name: 'Create webhook' }).click();
  await expect(urlField).toHaveAccessibleDescription(/must be an http or https URL/);
  await expect(dialog.getByRole('alert')).toContainText('see the fields marked above');
  await expectAccessible(page);

  // No event chosen: said on the events, before anything is sent.
  await urlField.fill(url);
  await dialog.getByRole('checkbox', { name: /^task\.succeeded/ }).uncheck();
  await dialog.getByRole('checkbox', { name: /^task\.failed/ }).uncheck();
  await dialog.getByRole('button', { name: 'Create webhook' }).click();
  await expect(dialog.getByText('Choose at least one event')).toBeVisible();
  await dialog.getByRole('checkbox', { name: /^task\.succeeded/ }).check();
  await dialog.getByRole('checkbox', { name: /^run\.failed/ }).check();
  await dialog.getByRole('button', { name: 'Create webhook' }).click();
  await expect(dialog).toHaveCount(0);

  // The signing secret, this once, with a warning and a copy button.
  const box = page.getByRole('region', { name: 'Copy the signing secret now' });
  await expect(box).toContainText('This secret will not be shown again');
  const secretField = box.getByRole('textbox', { name: `Signing secret of ${url}` });
  await expect(secretField).toHaveValue(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const secret = await secretField.inputValue();
  await expect(box.getByRole('button', { name: 'Copy secret' })).toBeVisible();
  await expectAccessible(page);

  const row = page.getByRole('row', { name: new RegExp(url) });
  await expect(row).toContainText('task.succeeded, run.failed');
  await expect(row).toContainText('enabled');
  await expect(row).toContainText('none yet');

  await box.getByRole('button', { name: 'Done, I have stored it' }).click();
  await expect(box).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('row', { name: new RegExp(url) })).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // Disabled by its owner, and said so; enabled again; edited.
  await row.getByRole('button', { name: `Disable ${url}` }).click();
  await expect(row).toContainText('disabled');
  await expect(row).toContainText('Turned off by a user');
  await row.getByRole('button', { name: `Enable ${url}` }).click();
  await expect(row).toContainText('enabled');
  await row.getByRole('button', { name: `Edit ${url}` }).click();
  const edit = page.getByRole('dialog', { name: 'Edit webhook' });
  await edit.getByRole('checkbox', { name: /^task\.failed/ }).check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  await expect(row).toContainText('task.succeeded, task.failed, run.failed');

  // Delete asks once, naming the endpoint.
  await row.getByRole('button', { name: `Delete ${url}` }).click();
  const confirm = page.getByRole('dialog', { name: `Delete ${url}` });
  await expect(confirm).toContainText('is deleted with its delivery log');
  await confirm.getByRole('button', { name: 'Delete the webhook' }).click();
  await expect(page.getByRole('row', { name: new RegExp(url) })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Deleted the webhook to ${url}` })).toBeVisible();
  expect(csp).toEqual([]);
});

test('a finished task shows as a delivery in the endpoint’s log, and can be redelivered', async ({ page, request }) => {
  const csp = watchCsp(page);
  const user = await newOperator(request);
  const api = await apiAs(request, user.email, user.password);
  const url = `${receiverUrl}/deliveries/${unique()}`;
  const hook = await api.call<{ id: string }>('post', '/api/v1/webhooks', { url, events: ['task.succeeded'] }, 201);
  const agent = await api.createAgent(`hook-calc-${unique()}`, 'calculator');
  created.agents.push(agent.id);
  const task = await api.createTask(agent.id, { expression: '6 * 7' });
  await expect.poll(() => receiver.received.filter((r) => r.url === new URL(url).pathname).length).toBe(1);

  await signIn(page, user.email, user.password);
  await openWebhooks(page);
  const row = page.getByRole('row', { name: new RegExp(url) });
  await expect(row).toContainText('succeeded');
  await expect(row).toContainText('200');

  await row.getByRole('link', { name: `Deliveries of ${url}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Webhook to ${new URL(url).host}` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/webhooks/${hook.id}$`));
  const deliveries = page.getByRole('table', { name: 'Deliveries' }).getByRole('row');
  await expect(deliveries).toHaveCount(2);
  const delivery = deliveries.nth(1);
  await expect(delivery).toContainText('task.succeeded');
  await expect(delivery.getByRole('link', { name: `task ${task.id.slice(0, 8)}` })).toHaveAttribute(
    'href',
    `/tasks/${task.id}`,
  );
  await expect(delivery).toContainText('succeeded');
  await expect(delivery.getByRole('cell').nth(1)).toHaveText('200');
  await expect(delivery.getByRole('cell').nth(2)).toHaveText(/^\d+(\.\d)? (ms|s)$/);
  await expect(delivery.getByRole('cell').nth(3)).toContainText('1');
  await expect(delivery.getByRole('cell').nth(4).locator('time')).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2}T/);
  await expectAccessible(page);

  // Redelivered: the same message again, as a new delivery at the top of the log.
  await delivery.getByRole('button', { name: `Redeliver task.succeeded of ${task.id.slice(0, 8)}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Redelivering task.succeeded' })).toBeVisible();
  await expect(deliveries).toHaveCount(3);
  await expect(deliveries.nth(1)).toContainText('succeeded');
  const sent = () => receiver.received.filter((r) => r.url === new URL(url).pathname);
  await expect.poll(() => sent().length).toBe(2);
  expect(sent()[1].headers['webhook-id']).toBe(sent()[0].headers['webhook-id']);
  expect(sent()[1].body).toBe(sent()[0].body);
  expect(csp).toEqual([]);
});

test('a viewer sees the webhooks page without Create, told why', async ({ page, request }) => {
  const csp = watchCsp(page);
  const user = { email: `hooks-viewer-${unique()}@console.test`, password: 'a-long-password-for-a-viewer' };
  const res = await request.post('/api/v1/auth/register', { data: { ...user, name: 'Webhook viewer' } });
  expect(res.status(), await res.text()).toBe(201);

  await signIn(page, user.email, user.password);
  await openWebhooks(page);
  await expect(page.getByText('needs the webhooks:write permission')).toBeVisible();
  await expect(page.getByRole('button', { name: /New webhook|Add a webhook/ })).toHaveCount(0);
  // Only their own are listed, and a viewer can make none: the empty list says so, not that none exist.
  await expect(page.getByRole('heading', { name: 'No webhooks that you can see yet' })).toBeVisible();
  await expect(page.getByText(/^Operators and admins add webhooks here/)).toContainText(
    'You see the webhooks you added; admins see every webhook.',
  );
  await expectAccessible(page);
  expect(csp).toEqual([]);
});
