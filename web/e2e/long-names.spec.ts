import { type Locator, type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn, unique } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

/**
 * How many lines the text of each element takes (a word broken over two lines takes two): boxes that overlap
 * vertically (text and inline code on one line) are one line.
 */
async function lineCounts(target: Locator): Promise<number[]> {
  return target.evaluateAll((elements) =>
    elements.map((element) => {
      const range = document.createRange();
      range.selectNodeContents(element);
      const boxes = [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top);
      let lines = 0;
      let bottom = -Infinity;
      for (const box of boxes) {
        if (box.top >= bottom - 2) lines += 1;
        bottom = Math.max(bottom, box.bottom);
      }
      return lines;
    }),
  );
}

/** Whether the element's text is cut (wider than its box) rather than wrapped. */
async function isCut(target: Locator): Promise<boolean> {
  return target.evaluate((e) => e.scrollWidth > e.clientWidth && getComputedStyle(e).textOverflow === 'ellipsis');
}

async function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * An agent's name may be 200 characters without a space: it is cut with an ellipsis where it is shown (the whole
 * name in its tooltip and its accessible name), and the filters and columns around it keep their layout.
 */
test('a 200-character agent name is cut, not wrapped, on the agent, agents and tasks pages', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const name = `${'L'.repeat(200 - stamp.length)}${stamp}`;
  const agent = await admin.createAgent(name, 'calculator');
  made.agents.push(agent.id);
  await admin.createTask(agent.id, { expression: '3*3' });
  await signIn(page);

  // The agent's page: its title on one line, the whole name its accessible name and tooltip.
  await page.goto(`/agents/${agent.id}`);
  const title = page.getByRole('heading', { level: 1, name });
  await expect(title).toBeVisible();
  await expect(title).toHaveAttribute('title', name);
  expect(await lineCounts(title)).toEqual([1]);
  expect(await isCut(title)).toBe(true);

  // The agents list: the name cut, Type and Created whole on one line each.
  await page.goto(`/agents?q=${stamp}`);
  const row = page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: new RegExp(stamp) });
  const link = row.getByRole('link', { name });
  await expect(link).toHaveAttribute('title', name);
  expect(await isCut(link)).toBe(true);
  expect(await lineCounts(row.getByRole('cell', { name: 'calculator', exact: true }))).toEqual([1]);
  expect(await lineCounts(row.getByRole('cell').nth(3))).toEqual([1]);

  // The tasks list filtered on it: the Agent filter keeps its width, the filters stay on one row.
  await page.goto(`/tasks?agent=${agent.id}`);
  const filters = page.getByRole('search', { name: 'Filter tasks' });
  const select = filters.getByRole('combobox', { name: 'Agent' });
  await expect(select).toHaveValue(agent.id);
  await expect(select).toHaveAttribute('title', name);
  expect((await select.boundingBox())?.width ?? 1000).toBeLessThanOrEqual(240);
  const tops = await Promise.all(
    ['Status', 'Agent', 'Created'].map(async (label) => (await filters.getByLabel(label).boundingBox())?.y),
  );
  tops.push((await filters.getByRole('textbox', { name: 'Tag' }).boundingBox())?.y);
  expect(new Set(tops).size).toBe(1);
  const cell = page.getByRole('table', { name: 'Tasks' }).getByRole('row').nth(1).getByTitle(name);
  expect(await lineCounts(cell)).toEqual([1]);

  // On a phone's width no page scrolls sideways with the long name.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of [`/agents/${agent.id}`, `/agents?q=${stamp}`, `/tasks?agent=${agent.id}`]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    expect(await sideways(page), path).toBeLessThanOrEqual(0);
  }
});

/**
 * At a laptop's width, the Schedules and Users tables keep a long name to one cut line (whole in its tooltip),
 * their short cells unbroken, and each row's actions in view.
 */
test('a long schedule or user name is cut in its table, short cells stay whole, and the actions stay in view', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const agent = await admin.createAgent(`long-sched-${stamp}`, 'calculator');
  made.agents.push(agent.id);
  const name = `Long ${'L'.repeat(80)} ${stamp}`.slice(0, 100);
  const schedule = await admin.call<{ id: string }>(
    'post',
    '/api/v1/schedules',
    { name, target: { agentId: agent.id, input: { expression: '1+1' } }, cron: '*/5 * * * *', timezone: 'UTC' },
    201,
  );
  made.schedules.push(schedule.id);
  const person = `Person ${'P'.repeat(70)} ${stamp}`;
  const email = `${'e'.repeat(40)}-${stamp}@${'d'.repeat(40)}.console.test`;
  await admin.call(
    'post',
    '/api/v1/users',
    { email, password: `pw-${stamp}-long-enough`, name: person, role: 'viewer' },
    201,
  );
  await signIn(page);

  await page.goto('/schedules');
  const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row', { name: new RegExp(stamp) });
  const cut = row.getByTitle(name, { exact: true });
  await expect(cut).toBeVisible();
  expect(await lineCounts(cut)).toEqual([1]);
  expect(await isCut(cut)).toBe(true);
  // Timing, the next fire's date (under how soon) and the last fire: each on one line.
  const cells = row.getByRole('cell');
  for (const cell of [cells.nth(2), cells.nth(3).locator('p'), row.locator('.schedules-last')]) {
    expect(await lineCounts(cell)).toEqual([1]);
  }
  // The actions: in view (the table fits, the page does not scroll sideways); Edit and Delete in the row's menu.
  for (const action of ['Pause', 'More actions for']) {
    await expect(row.getByRole('button', { name: new RegExp(`^${action} `) })).toBeInViewport({ ratio: 1 });
  }
  await row.getByRole('button', { name: /^More actions for / }).click();
  for (const action of ['Edit', 'Delete']) {
    await expect(page.getByRole('menuitem', { name: new RegExp(`^${action}`) })).toBeInViewport({ ratio: 1 });
  }
  await page.keyboard.press('Escape');
  expect(await sideways(page)).toBeLessThanOrEqual(0);

  await page.goto(`/users?q=${stamp}`);
  const user = page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(stamp) });
  await expect(user).toBeVisible();
  for (const text of [person, email]) expect(await isCut(user.getByTitle(text, { exact: true }))).toBe(true);
  expect(await lineCounts(user.getByRole('cell').nth(3))).toEqual([1]);
  // Here the row fits: its actions are in view without scrolling.
  for (const action of ['Reset password', 'Deactivate']) {
    await expect(user.getByRole('button', { name: action })).toBeInViewport({ ratio: 1 });
  }
});

/**
 * A workflow's description of one 1,500-character word and a 100-character step id (both allowed) break where
 * they must: neither its page nor its editor scrolls sideways, and the page's actions stay in view.
 */
test('a long unbroken workflow description or step id does not widen the workflow pages', async ({ page, request }) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const agent = await admin.createAgent(`long-wf-${stamp}`, 'calculator');
  made.agents.push(agent.id);
  const stepId = `s${'x'.repeat(99)}`;
  const workflow = await admin.call<{ id: string }>(
    'post',
    '/api/v1/workflows',
    {
      name: `long-wf-${stamp}`,
      description: 'D'.repeat(1500),
      steps: [{ id: stepId, agentId: agent.id, input: { expression: '1+1' } }],
    },
    201,
  );
  made.workflows.push(workflow.id);
  await signIn(page);

  await page.goto(`/workflows/${workflow.id}`);
  await expect(page.getByRole('heading', { level: 1, name: `long-wf-${stamp}` })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await expect(page.getByRole('link', { name: 'Edit', exact: true })).toBeInViewport({ ratio: 1 });

  await page.goto(`/workflows/${workflow.id}/edit`);
  await expect(page.getByRole('list', { name: 'Steps' })).toContainText(stepId);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
});
