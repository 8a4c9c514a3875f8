import { expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const created = deleteAfterAll();

test('a schedule’s fire history shows a made fire linking to its task', async ({ page, request }) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const stamp = Date.now().toString(36);
  const agent = await admin.createAgent(`fires-calc-${stamp}`, 'calculator');
  created.agents.push(agent.id);
  const name = `Fire history ${stamp}`;
  const schedule = await admin.call<{ id: string }>(
    'post',
    '/api/v1/schedules',
    { name, target: { agentId: agent.id, input: { expression: '4*5' } }, everyMs: 2000 },
    201,
  );
  created.schedules.push(schedule.id);
  // Wait for a fire that made a task, then pause it so the history holds still.
  let taskId: string | null = null;
  await expect
    .poll(
      async () => {
        const fires = await admin.call<{ outcome: string; targetId: string | null }[]>(
          'get',
          `/api/v1/schedules/${schedule.id}/fires`,
          undefined,
          200,
        );
        taskId = fires.find((f) => f.outcome === 'made')?.targetId ?? null;
        return taskId;
      },
      { timeout: 30_000 },
    )
    .not.toBeNull();
  await admin.call('patch', `/api/v1/schedules/${schedule.id}`, { paused: true }, 200);

  await signIn(page);
  await page.goto('/schedules');
  const toggle = page.getByRole('button', { name: `Fire history of ${name}` });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const history = page.getByRole('table', { name: `Fire history of ${name}` });
  await expect(history.getByText('made').first()).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`fires=${schedule.id}`));
  await expectAccessible(page);
  const link = history.getByRole('link', { name: `task ${taskId!.slice(0, 8)}` });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/tasks/${taskId!}$`));
  expect(csp).toEqual([]);
});
