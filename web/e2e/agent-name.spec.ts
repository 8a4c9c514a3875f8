import { type Page, expect, test } from '@playwright/test';
import { signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

/** The agents the page asked the server to create (none while the form finds problems itself). */
function watchCreates(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/agents') sent.push(r.url());
  });
  return sent;
}

test('the name field states its rule before a submit, and a name wrong twice over gets both problems at once', async ({
  page,
}) => {
  const sent = watchCreates(page);
  await signIn(page);
  await page.goto('/agents/new');
  await page.getByRole('combobox', { name: 'Type' }).click();
  await page.getByRole('option', { name: 'calculator' }).click();
  const name = page.getByRole('textbox', { name: 'Name' });
  // The rule is there before anything is typed.
  await expect(name).toHaveAccessibleDescription(/ASCII letters, digits, space \. _ -/);
  await expect(name).toHaveAccessibleDescription(/At most 200 characters/);

  await name.fill(`${'ä'.repeat(3)}${'b'.repeat(200)}`);
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(name).toHaveAccessibleDescription(/must be at most 200 characters \(it has 203\)/);
  await expect(name).toHaveAccessibleDescription(/must start with an ASCII letter or digit/);
  await expect(name).toHaveAccessibleDescription(/may use only ASCII letters, digits, space \. _ - \(not “ä”\)/);
  expect(sent).toEqual([]);
});
