import { type Locator, type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, signIn, unique } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL, viewport: { width: 390, height: 844 } });

const made = deleteAfterAll();

test('at 390 px the navigation is behind a menu button, opened and closed by keyboard; at 1280 px it is shown', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/agents');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  // The page's title comes right under the header, not under a column of links.
  expect((await page.getByRole('heading', { level: 1 }).boundingBox())?.y ?? 1000).toBeLessThan(120);

  // Reached by Tab after the skip link, opened with Enter.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(menu).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Tasks' })).toBeVisible();
  // Escape in the menu closes it and gives focus back to its button.
  await nav.getByRole('link', { name: 'Overview' }).focus();
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');

  // Choosing a page closes it.
  await menu.click();
  await nav.getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');

  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(menu).toBeHidden();
  await expect(nav.getByRole('link', { name: 'Agents' })).toBeVisible();
});

/**
 * Whether the box `table` scrolls in is wider inside than out, and shows it: a drawn scroll bar (not only on
 * hover), or a native box's fade at its right edge (headless browsers, like phones, draw no native scroll bar).
 */
async function showsItScrolls(table: Locator): Promise<{ scrolls: boolean; shown: boolean }> {
  return table.evaluate((element) => {
    const box = element.closest<HTMLElement>('.mantine-TableScrollContainer-scrollContainer');
    if (!box) return { scrolls: false, shown: false };
    const viewport = box.querySelector<HTMLElement>('.mantine-ScrollArea-viewport') ?? box;
    const scrolls = viewport.scrollWidth > viewport.clientWidth;
    const drawn = box.querySelector('.mantine-ScrollArea-scrollbar[data-orientation="horizontal"]');
    if (drawn) {
      const style = getComputedStyle(drawn);
      const shown = style.display !== 'none' && Number(style.opacity) > 0 && drawn.getBoundingClientRect().height > 0;
      return { scrolls, shown };
    }
    const fade = parseFloat(getComputedStyle(box).getPropertyValue('--scroll-fade'));
    return { scrolls, shown: fade > 0 && getComputedStyle(box).maskImage.includes('gradient') };
  });
}

/** How many lines the text of an element takes (a word broken over two lines takes two). */
async function lines(target: Locator): Promise<number> {
  return target.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });
}

async function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('at 390 px the Tasks and Webhooks tables show that they scroll, and “no answer” stays whole', async ({
  page,
  request,
}) => {
  const admin = await apiAs(request);
  const stamp = unique();
  const webhook = await admin.call<{ id: string }>(
    'post',
    '/api/v1/webhooks',
    { url: `http://127.0.0.1:9/narrow-menu/${stamp}`, events: ['task.succeeded'] },
    201,
  );
  try {
    const agent = await admin.createAgent(`scroll-${stamp}`, 'calculator');
    made.agents.push(agent.id);
    await admin.createTask(agent.id, { expression: '2+2' });

    await signIn(page);
    await page.goto('/tasks');
    const tasks = page.getByRole('table', { name: 'Tasks' });
    await expect(tasks.getByRole('row').nth(1)).toBeVisible();
    expect(await showsItScrolls(tasks)).toEqual({ scrolls: true, shown: true });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    // Scrolled to its end, nothing more to the right: no fade.
    await tasks.evaluate((table) => {
      const box = table.closest<HTMLElement>('.mantine-TableScrollContainer-scrollContainer');
      if (box) box.scrollLeft = box.scrollWidth;
    });
    await expect.poll(async () => (await showsItScrolls(tasks)).shown).toBe(false);

    await page.goto('/webhooks');
    const webhooks = page.getByRole('table', { name: 'Webhooks' });
    const row = webhooks.getByRole('row', { name: new RegExp(stamp) });
    await expect(row).toBeVisible();
    expect(await showsItScrolls(webhooks)).toEqual({ scrolls: true, shown: true });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    // Nothing listens on port 9: the task's delivery gets no answer, said on one line.
    await expect(async () => {
      await page.reload();
      await expect(row.getByText('no answer', { exact: true })).toBeVisible({ timeout: 2000 });
    }).toPass({ timeout: 45_000 });
    expect(await lines(row.getByText('no answer', { exact: true }))).toBe(1);
  } finally {
    await admin.call('delete', `/api/v1/webhooks/${webhook.id}`, undefined, 204);
  }
});
