import { expect, test } from '@playwright/test';
import { expectAccessible, signIn } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

test('the New user dialog asks before Escape or Cancel discards what was typed, as the other dialogs do', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/users');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByLabel(/^Loading/)).toHaveCount(0);
  const dialog = page.getByRole('dialog', { name: 'New user' });
  const question = page.getByRole('dialog', { name: 'Close without saving?' });
  const email = dialog.getByLabel('Email');
  const password = dialog.getByRole('textbox', { name: 'Password', exact: true });

  // Nothing typed: Escape closes it at once.
  await page.getByRole('button', { name: 'New user' }).click();
  await expect(email).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(question).toHaveCount(0);
  // Focus is back where the dialog was opened from, not on the page.
  await expect(page.getByRole('button', { name: 'New user' })).toBeFocused();

  // Something typed: Escape asks, naming what would be lost; "Keep editing" keeps it all.
  await page.getByRole('button', { name: 'New user' }).click();
  await email.fill('half-typed@console.test');
  await password.fill('a-password-typed-halfway');
  await page.keyboard.press('Escape');
  await expect(question).toContainText('The new user is not saved: closing the dialog discards it.');
  await expect(dialog).toBeAttached();
  await expectAccessible(page);
  await question.getByRole('button', { name: 'Keep editing' }).click();
  await expect(question).toHaveCount(0);
  await expect(dialog).toBeVisible();
  await expect(password).toBeFocused();
  await expect(email).toHaveValue('half-typed@console.test');
  await expect(password).toHaveValue('a-password-typed-halfway');

  // Cancel asks too; "Discard and close" closes it, nothing created, and the next one starts empty.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(question).toBeVisible();
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(question).toHaveCount(0);
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New user' })).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: 'half-typed@console.test' })).toHaveCount(0);
  await page.getByRole('button', { name: 'New user' }).click();
  await expect(email).toHaveValue('');
  await expect(password).toHaveValue('');

  // A role chosen counts as typed too.
  await dialog.getByRole('combobox', { name: 'Role', exact: true }).selectOption('operator');
  await page.keyboard.press('Escape');
  await expect(question).toBeVisible();
  await question.getByRole('button', { name: 'Discard and close' }).click();
  await expect(dialog).toHaveCount(0);
});
