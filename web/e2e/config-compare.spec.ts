import { expect, test } from '@playwright/test';
import { apiAs, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made: string[] = [];

test.afterAll(async ({ request }) => {
  const admin = await apiAs(request);
  for (const id of made) await admin.deleteAgent(id);
});

/**
 * Comparing a config version with the current one lists what differs, path by path: the kind of change in words
 * and both values, a long one cut with the whole of it on demand; equal versions say so.
 */
test('an edited config compared with the previous version shows each changed path with old and new values', async ({
  page,
  request,
}, testInfo) => {
  const csp = watchCsp(page);
  const admin = await apiAs(request);
  const stamp = unique();
  const agent = await admin.createAgent(`compare-${stamp}`, 'http', {
    url: 'https://example.com/hook',
    timeoutMs: 3000,
    signingSecret: 'a-signing-secret-of-some-length',
  });
  made.push(agent.id);
  const longUrl = `https://example.com/hooks/${'segment/'.repeat(10)}${stamp}`;

  // Version 2, edited on the agent's page: a new (long) URL, a new secret for it, a longer timeout.
  await signIn(page);
  await page.goto(`/agents/${agent.id}`);
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Edit configuration' }).click();
  const form = page.getByRole('region', { name: 'Edit configuration' });
  await form.getByLabel(/^URL\*?$/).fill(longUrl);
  await form.getByLabel('Signing secret', { exact: true }).fill('another-signing-secret-1234');
  await form.getByLabel('Timeout (ms)', { exact: true }).fill('5000');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version 2' })).toBeVisible();

  const compare = page.getByRole('button', { name: 'Compare version 1' });
  await compare.click();
  await expect(compare).toHaveAttribute('aria-pressed', 'true');
  const changes = page.getByRole('table', { name: 'Changes from version 1 to version 2 (current)' });
  await expect(changes.getByRole('columnheader')).toHaveText(['Path', 'Change', 'Version 1', 'Version 2 (current)']);
  // One row per changed path; the new secret is masked in both versions, so it shows no change, as is said.
  await expect(changes.getByRole('rowheader')).toHaveText(['/url', '/timeoutMs']);
  await expect(page.getByText('Secrets are masked in both versions')).toBeVisible();
  const timeout = changes.getByRole('row', { name: /\/timeoutMs/ });
  await expect(timeout.getByRole('cell')).toHaveText(['changed', '3000', '5000']);

  // The long URL is cut, whole in its tooltip and on demand; the old one is short and whole.
  const url = changes.getByRole('row', { name: /\/url/ });
  const cells = url.getByRole('cell');
  await expect(cells.nth(0)).toHaveText('changed');
  await expect(cells.nth(1)).toHaveText('"https://example.com/hook"');
  await expect(cells.nth(2).locator('code')).toHaveText(/^"https:\/\/example\.com\/hooks\/.*…$/);
  await expect(cells.nth(2).locator('code')).toHaveAttribute('title', JSON.stringify(longUrl));
  await changes.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('config-compare-1280.png') });
  const showAll = cells.nth(2).getByRole('button', { name: 'Show all of /url in version 2' });
  await expect(showAll).toHaveAttribute('aria-expanded', 'false');
  await showAll.click();
  await expect(cells.nth(2).getByText(JSON.stringify(longUrl), { exact: true })).toBeVisible();
  await expect(cells.nth(2)).not.toContainText('…');
  await expect(cells.nth(2).getByRole('button', { name: 'Show less of /url in version 2' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );

  // Both whole documents stay at hand below, folded.
  const comparison = page.getByRole('region', { name: 'Changes from version 1 to version 2 (current)' });
  for (const label of ['Version 1', 'Version 2 (current)']) {
    const fold = comparison.getByRole('region', { name: label, exact: true }).getByRole('button');
    await expect(fold).toHaveAttribute('aria-expanded', 'false');
  }
  await comparison.getByRole('region', { name: 'Version 1', exact: true }).getByRole('button').click();
  await expect(comparison.getByRole('region', { name: 'Version 1', exact: true })).toContainText('"timeoutMs": 3000');
  await expectAccessible(page);

  // Rolled back to version 1: the new current version 3 equals it, and the comparison says so.
  await page.getByRole('button', { name: 'Rollback to version 1' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
  await expect(page.getByRole('heading', { name: 'Changes from version 1 to version 3 (current)' })).toBeVisible();
  await expect(page.getByText('No differences: version 1 is the same as the current config.')).toBeVisible();
  await expect(page.getByRole('table', { name: /^Changes from/ })).toHaveCount(0);

  // Version 2 against it: the same paths, the other way round.
  await page.getByRole('button', { name: 'Compare version 2' }).click();
  const back = page.getByRole('table', { name: 'Changes from version 2 to version 3 (current)' });
  await expect(back.getByRole('row', { name: /\/timeoutMs/ }).getByRole('cell')).toHaveText([
    'changed',
    '5000',
    '3000',
  ]);
  expect(csp).toEqual([]);
});
