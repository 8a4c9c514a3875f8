import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import {
  apiAs,
  apiToken,
  expectAccessible,
  expectCodeField,
  expectUniqueLandmarks,
  signIn,
  unique,
  watchCsp,
} from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const created: { agents: string[]; schedules: string[] } = { agents: [], schedules: [] };

interface User {
  email: string;
  password: string;
}

/** A new operator (created by the admin) with a calculator agent of their own. */
async function operatorWithAgent(request: APIRequestContext, agentName: string): Promise<User> {
  const admin = await apiToken(request, ADMIN.email, ADMIN.password);
  const user = { email: `scheduler-${unique()}@console.test`, password: 'an-operator-password-for-tests' };
  const res = await request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${admin}` },
    data: { ...user, name: 'Scheduler', role: 'operator' },
  });
  expect(res.status(), await res.text()).toBe(201);
  const token = await apiToken(request, user.email, user.password);
  const agent = await request.post('/api/v1/agents', {
    headers: { Authorization: `Bearer ${token}` },
    data: { name: agentName, type: 'calculator', config: {} },
  });
  expect(agent.status(), await agent.text()).toBe(201);
  created.agents.push(((await agent.json()) as { data: { id: string } }).data.id);
  return user;
}

// The browser tests share one database: what is made here goes, so other pages still start empty.
test.afterAll(async ({ request }) => {
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  const headers = { Authorization: `Bearer ${token}` };
  const list = await request.get('/api/v1/schedules?limit=1000', { headers });
  for (const s of ((await list.json()) as { data: { id: string; name: string }[] }).data) {
    if (s.name.startsWith('Every-minute sum')) await request.delete(`/api/v1/schedules/${s.id}`, { headers });
  }
  for (const id of created.schedules) await request.delete(`/api/v1/schedules/${id}`, { headers });
  for (const id of created.agents) await request.delete(`/api/v1/agents/${id}`, { headers });
});

async function openSchedules(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Schedules' })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
}

test('an operator creates an every-minute schedule, sees its next fires, pauses it and deletes it', async ({
  page,
  request,
}) => {
  const csp = watchCsp(page);
  const stamp = unique();
  const agentName = `sched-calc-${stamp}`;
  const name = `Every-minute sum ${stamp}`;
  const user = await operatorWithAgent(request, agentName);

  await signIn(page, user.email, user.password);
  await openSchedules(page);
  await expect(page.getByRole('heading', { name: 'No schedules that you can see yet' })).toBeVisible();
  await expect(page.getByText('You see the schedules you created; admins see every schedule.')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'New schedule' }).click();
  const dialog = page.getByRole('dialog', { name: 'New schedule' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
  await dialog.getByRole('combobox', { name: 'Agent' }).selectOption({ label: `${agentName} (calculator)` });
  const input = dialog.getByRole('textbox', { name: 'Input (JSON)' });
  const cron = dialog.getByRole('textbox', { name: 'Cron pattern' });
  // The pattern is monospace, its label and help text are not; the example in it is code.
  const cronHelp = await expectCodeField(page, cron);
  await expect(cronHelp.locator('code')).toHaveText('0 9 * * 1-5');
  await expect(cronHelp).not.toContainText('`');

  // Every problem at once, each on the field the server names: the pattern, and the input the agent type refuses.
  await input.fill('{}');
  await cron.fill('not a cron');
  await dialog.getByRole('button', { name: 'Create schedule' }).click();
  await expect(cron).toHaveAccessibleDescription(/must have 5 fields \(minute to weekday\) or 6/);
  await expect(input).toHaveAccessibleDescription(/expression: Enter a value/);
  // The field inside the input is named, not given as a JSON pointer.
  await expect(input).not.toHaveAccessibleDescription(/\/expression/);
  // The first field the server refused has the focus, as one the form refuses itself would.
  await expect(input).toBeFocused();
  await expectAccessible(page);

  await input.fill('{"expression": "1+2"}');
  await dialog.getByRole('radio', { name: 'Every so often' }).check();
  await dialog.getByRole('spinbutton', { name: 'Every' }).fill('1');
  await dialog.getByRole('combobox', { name: 'Unit' }).selectOption('minutes');
  await dialog.getByRole('button', { name: 'Create schedule' }).click();
  await expect(dialog).toHaveCount(0);

  // The five next fires the server returned, and the schedule in the list.
  const fires = page.getByRole('list', { name: `Next fires of ${name}` });
  await expect(fires.getByRole('listitem')).toHaveCount(5);
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('every minute');
  await expect(row.getByRole('link', { name: `agent ${agentName}` })).toBeVisible();
  await expect(row).toContainText('active');
  await expect(row).toContainText('never');
  // The next fire, in the Fires column beside the last one.
  const nextFire = row.locator('.schedules-next time');
  await expect(nextFire).toHaveCount(1);
  await expect(nextFire).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2}T/);
  await expectAccessible(page);

  // Paused: the word changes and there is no fire ahead.
  await row.getByRole('button', { name: `Pause ${name}` }).click();
  await expect(row).toContainText('paused');
  await expect(row).toContainText('none while paused');
  await expect(nextFire).toHaveCount(0);
  await expect(row.getByRole('button', { name: `Resume ${name}` })).toBeVisible();

  // Delete, in the row's menu, asks once, naming the schedule.
  await row.getByRole('button', { name: `More actions for ${name}` }).click();
  await page
    .getByRole('menu')
    .getByRole('menuitem', { name: /^Delete/ })
    .click();
  const confirm = page.getByRole('dialog', { name: `Delete ${name}` });
  await expect(confirm).toContainText(`Schedule “${name}” is deleted`);
  await confirm.getByRole('button', { name: 'Delete the schedule' }).click();
  await expect(page.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Deleted “${name}”` })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No schedules that you can see yet' })).toBeVisible();
  // The row went with the schedule: focus goes on at New schedule, not to the page.
  await expect(page.getByRole('button', { name: 'New schedule' })).toBeFocused();
  expect(csp).toEqual([]);
});

test('the schedule dialog keeps what was typed: closing it asks first, Escape included', async ({ page, request }) => {
  const csp = watchCsp(page);
  const stamp = unique();
  const agentName = `sched-draft-${stamp}`;
  const user = await operatorWithAgent(request, agentName);
  const agentId = created.agents[created.agents.length - 1];
  const saved = `Every-minute sum kept ${stamp}`;
  const api = await apiAs(request, user.email, user.password);
  await api.call(
    'post',
    '/api/v1/schedules',
    { name: saved, target: { agentId, input: { expression: '1+1' } }, everyMs: 3_600_000 },
    201,
  );

  await signIn(page, user.email, user.password);
  await openSchedules(page);
  const newDialog = page.getByRole('dialog', { name: 'New schedule' });
  const question = page.getByRole('dialog', { name: 'Close without saving?' });

  // Nothing typed: Escape closes it at once.
  await page.getByRole('button', { name: 'New schedule' }).click();
  await expect(newDialog).toBeVisible();
  await expectUniqueLandmarks(page);
  await page.keyboard.press('Escape');
  await expect(newDialog).toHaveCount(0);
  await expect(question).toHaveCount(0);

  // Something typed: Escape asks, naming what would be lost; "Keep editing" keeps it, the focus back in place.
  await page.getByRole('button', { name: 'New schedule' }).click();
  const name = newDialog.getByRole('textbox', { name: 'Name' });
  await name.fill('Nightly sum');
  const cron = newDialog.getByRole('textbox', { name: 'Cron pattern' });
  await cron.fill('0 3 * * *');
  await page.keyboard.press('Escape');
  await expect(question).toContainText('The new schedule is not saved: closing the dialog discards it.');
  await expect(newDialog).toBeAttached();
  await expectUniqueLandmarks(page);
  await expectAccessible(page);
  await question.getByRole('button', { name: 'Keep editing' }).click();
  await expect(question).toHaveCount(0);
  await expect(newDialog).toBeVisible();
  await expect(cron).toBeFocused();
  await expect(name).toHaveValue('Nightly sum');
  await expect(cron).toHaveValue('0 3 * * *');

  // Escape on the question keeps the input too; so does a click on Close followed by "Keep editing".
  await page.keyboard.press('Escape');
  await expect(question).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  await expect(name).toHaveValue('Nightly sum');
  await newDialog.getByRole('button', { name: 'Close' }).click();
  await question.getByRole('button', { name: 'Keep editing' }).click();
  await expect(name).toHaveValue('Nightly sum');

  // Cancel asks as well; discarding closes both, and the next dialog starts empty.
  await newDialog.getByRole('button', { name: 'Cancel' }).click();
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(question).toHaveCount(0);
  await expect(newDialog).toHaveCount(0);
  await page.getByRole('button', { name: 'New schedule' }).click();
  await expect(name).toHaveValue('');
  await page.keyboard.press('Escape');
  await expect(newDialog).toHaveCount(0);

  // Editing: unchanged, Escape closes; changed, it asks, naming the schedule.
  const row = page.getByRole('row', { name: new RegExp(saved) });
  const editDialog = page.getByRole('dialog', { name: `Edit ${saved}` });
  const edit = async () => {
    await row.getByRole('button', { name: `More actions for ${saved}` }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Edit' }).click();
  };
  const more = row.getByRole('button', { name: `More actions for ${saved}` });
  await edit();
  await expect(editDialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(editDialog).toHaveCount(0);
  // Back on the row's menu button, where the keyboard user was: so after a save too.
  await expect(more).toBeFocused();
  await edit();
  await editDialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(editDialog).toHaveCount(0);
  await expect(more).toBeFocused();
  await edit();
  await editDialog.getByRole('combobox', { name: /While the last fire/ }).selectOption('skip');
  await page.keyboard.press('Escape');
  await expect(question).toContainText(`The change to “${saved}” is not saved`);
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(editDialog).toHaveCount(0);
  await expect(row).not.toContainText('skips a fire');
  expect(csp).toEqual([]);
});

test('a viewer sees the schedules page without Create, told why', async ({ page, request }) => {
  const csp = watchCsp(page);
  const user = { email: `sched-viewer-${unique()}@console.test`, password: 'a-long-password-for-a-viewer' };
  const res = await request.post('/api/v1/auth/register', { data: { ...user, name: 'Schedule viewer' } });
  expect(res.status(), await res.text()).toBe(201);

  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await openSchedules(page);
  await expect(page.getByText('needs the schedules:write permission')).toBeVisible();
  await expect(page.getByRole('button', { name: /New schedule|Create a schedule/ })).toHaveCount(0);
  // Only their own are listed, and a viewer can make none: the empty list says so, not that none exist.
  await expect(page.getByRole('heading', { name: 'No schedules that you can see yet' })).toBeVisible();
  await expect(page.getByText(/^Operators and admins create schedules here/)).toContainText(
    'You see the schedules you created; admins see every schedule.',
  );
  await expectAccessible(page);
  expect(csp).toEqual([]);
});

/**
 * At a laptop's window (1280×800) the table fits: long names, a long pattern and time zone, a fired schedule and
 * the row's actions, all without scrolling the table's box sideways; the whole name is still in its tooltip.
 */
test('at 1280×800 the schedules table fits without scrolling sideways, long names included', async ({
  page,
  request,
}, testInfo) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const stamp = unique();
  const agentName = `${'A'.repeat(200 - stamp.length - 1)}-${stamp}`;
  const agent = await admin.createAgent(agentName, 'calculator');
  created.agents.push(agent.id);
  const name = `${'N'.repeat(100 - stamp.length)}${stamp}`;
  const long = await admin.call<{ id: string }>(
    'post',
    '/api/v1/schedules',
    {
      name,
      target: { agentId: agent.id, input: { expression: '1+1' } },
      cron: '0,5,10,15,20,25,30,35,40,45,50,55 0,2,4,6,8,10,12,14,16,18,20,22 1,8,15,22,29 1-11 1-5',
      timezone: 'America/Argentina/ComodRivadavia',
      overlap: 'skip',
    },
    201,
  );
  created.schedules.push(long.id);
  // A schedule that has fired: its last fire links to the task it made.
  const fired = await admin.call<{ id: string }>(
    'post',
    '/api/v1/schedules',
    {
      name: `Fired ${stamp}`,
      target: { agentId: agent.id, input: { expression: '2+2' } },
      cron: '*/2 * * * * *',
      timezone: 'Europe/Berlin',
    },
    201,
  );
  created.schedules.push(fired.id);
  await expect
    .poll(
      async () =>
        (await admin.call<{ lastFireAt: string | null }>('get', `/api/v1/schedules/${fired.id}`, undefined, 200))
          .lastFireAt,
      { timeout: 30_000 },
    )
    .not.toBeNull();
  await admin.call('patch', `/api/v1/schedules/${fired.id}`, { paused: true }, 200);

  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  await openSchedules(page);
  const table = page.getByRole('table', { name: 'Schedules' });
  const row = table.getByRole('row', { name: new RegExp(name) });
  await expect(row.getByTitle(name, { exact: true })).toBeVisible();
  await expect(
    table.getByRole('row', { name: new RegExp(`Fired ${stamp}`) }).getByRole('link', { name: 'task' }),
  ).toBeVisible();
  await expect(row.getByRole('link', { name: `agent ${agentName}` })).toHaveAttribute('title', `agent ${agentName}`);
  // Neither the table's own scrolling box nor the page has anything to the right.
  const widths = await table.evaluate((element) => {
    const box = element.closest('.mantine-ScrollArea-viewport');
    if (!box) throw new Error('the table has no scrolling box');
    return { scroll: box.scrollWidth, client: box.clientWidth };
  });
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath('schedules-1280.png') });

  // The row's actions are in view: Pause, and Edit and Delete in the menu beside it.
  await expect(row.getByRole('button', { name: `Pause ${name}` })).toBeInViewport({ ratio: 1 });
  const more = row.getByRole('button', { name: `More actions for ${name}` });
  await expect(more).toBeInViewport({ ratio: 1 });
  await more.click();
  const menu = page.getByRole('menu', { name: `More actions for ${name}` });
  await expect(menu.getByRole('menuitem')).toHaveText(['Edit', 'Delete…']);
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();
  expect(csp).toEqual([]);
});
