import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ADMIN } from './global-setup';
import { apiAs, apiToken, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

/** Files a test uploaded, deleted after the spec whatever happened, so the other pages' lists start empty. */
const uploaded: string[] = [];
test.afterAll(async ({ request }) => {
  const token = await apiToken(request, ADMIN.email, ADMIN.password);
  for (const id of uploaded) {
    await request.delete(`/api/v1/files/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  }
});

const RECORDS = ['{"id":1,"country":"DE","total":12.5}', '{"id":2,"country":"FR","total":7}', '{"id":3,"total":1}'];

test('an admin uploads a file of records, copies its id, downloads it, and deletes it with a confirmation', async ({
  page,
  request,
}, testInfo) => {
  const csp = watchCsp(page);
  const api = await apiAs(request);
  const name = `orders-${unique()}.ndjson`;
  // Windows line ends and a blank line: the API stores one record a line, without them.
  const body = Buffer.from(`${RECORDS[0]}\r\n${RECORDS[1]}\r\n\r\n${RECORDS[2]}\n`);
  const stored = `${RECORDS.join('\n')}\n`;

  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Files' }).click();
  await expect(page).toHaveURL(/\/files$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Files' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No files yet' })).toBeVisible();
  await expect(page.getByText(/A data-processor task’s file input takes a file’s id/)).toBeVisible();
  await expectAccessible(page);

  // Nothing chosen: said on the field, nothing sent.
  const picker = page.getByLabel('File of records');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(picker).toHaveAccessibleDescription(/Choose a file to upload/);

  // The browser gives an .ndjson file no type: the console sends it as NDJSON all the same.
  await picker.setInputFiles({ name, mimeType: '', buffer: body });
  await expect(page.getByText(`${body.length} bytes, sent as application/x-ndjson`)).toBeVisible();
  await page.getByRole('button', { name: 'Upload', exact: true }).click();

  const box = page.getByRole('region', { name: `Uploaded “${name}”` });
  await expect(box).toBeVisible();
  await expect(box.getByRole('heading')).toBeFocused();
  const id = await box.getByRole('textbox', { name: 'File id' }).inputValue();
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  uploaded.push(id);
  await expect(box).toContainText(`3 records, ${stored.length} bytes stored as NDJSON`);
  await expect(box).toContainText(`{"file":"${id}"}`);
  await expect(box.getByRole('button', { name: 'Copy id' })).toBeVisible();
  await box.getByRole('button', { name: 'Done' }).click();
  await expect(box).toHaveCount(0);
  await expect(picker).toBeFocused();

  // Listed first, with its size, records, type, uploader and id.
  const table = page.getByRole('table', { name: 'Files' });
  const row = table.getByRole('row', { name: new RegExp(name) });
  const cells = row.getByRole('cell');
  await expect(cells.nth(0)).toContainText(`${stored.length} bytes`);
  await expect(cells.nth(0)).toContainText('3 records');
  await expect(cells.nth(1)).toHaveText('application/x-ndjson');
  await expect(cells.nth(2)).toHaveText('you');
  await expect(row.getByRole('button', { name: `Copy the id of ${name}` })).toBeVisible();
  await expect(row.locator('code[title]')).toHaveAttribute('title', id);
  await expect(row.locator('time')).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2}T/);
  await expectAccessible(page);
  await page.screenshot({ path: testInfo.outputPath('files-1280.png') });

  // What the API keeps is what the page says it keeps.
  const file = await api.call<{ records: number; sizeBytes: number; name: string }>(
    'get',
    `/api/v1/files/${id}`,
    undefined,
    200,
  );
  expect(file).toMatchObject({ records: 3, sizeBytes: stored.length, name });

  // Download: the content needs the access token, fetched through the client and saved under the file's name.
  const downloading = page.waitForEvent('download');
  await row.getByRole('button', { name: `Download ${name}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(name);
  expect(await readFile(await download.path(), 'utf8')).toBe(stored);

  // Delete asks once, naming the file; the list is then empty again.
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${name}` });
  await expect(dialog).toContainText(`“${name}” (${stored.length} bytes, 3 records) is deleted`);
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await dialog.getByRole('button', { name: 'Delete the file' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Deleted “${name}”` })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No files yet' })).toBeVisible();
  await api.call('get', `/api/v1/files/${id}`, undefined, 404);
  expect(csp).toEqual([]);
});

test('a refused upload is said in words with its code, and nothing is kept', async ({ page, request }) => {
  const api = await apiAs(request);
  await signIn(page);
  await page.goto('/files');
  const picker = page.getByLabel('File of records');
  const upload = page.getByRole('button', { name: 'Upload', exact: true });
  const refusal = page.getByRole('alert').filter({ hasText: 'The file was not uploaded' });

  // A type the API does not take: 415, and how to send one it takes.
  await picker.setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from('id,total\n1,2\n') });
  await upload.click();
  await expect(refusal).toContainText('UNSUPPORTED_MEDIA_TYPE');
  await expect(refusal).toContainText('Upload a file as application/x-ndjson');
  await expect(refusal).toContainText('It was sent as text/csv');
  await expect(refusal).toContainText(/request [0-9a-f-]{36}/);

  // Content that is not records: 400, naming the record (from 1) that is wrong.
  await picker.setInputFiles({
    name: 'broken.ndjson',
    mimeType: '',
    buffer: Buffer.from(`${RECORDS[0]}\n[1, 2]\n${RECORDS[1]}\n`),
  });
  await expect(refusal).toHaveCount(0);
  await upload.click();
  await expect(refusal).toContainText('VALIDATION_FAILED');
  await expect(refusal).toContainText(
    'Record 2 (counted from 1, blank lines not counted): every record must be a JSON object',
  );
  await expect(refusal.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expectAccessible(page);

  const list = await api.call<unknown[]>('get', '/api/v1/files', undefined, 200);
  expect(list).toEqual([]);
  await expect(page.getByRole('heading', { name: 'No files yet' })).toBeVisible();
});

test('a viewer reads the page but is offered no upload, and told why', async ({ page, request }) => {
  const admin = await apiAs(request);
  const viewer = { email: `files-viewer-${unique()}@console.test`, password: 'a-viewer-password-for-tests' };
  await admin.call('post', '/api/v1/users', { ...viewer, name: 'File viewer', role: 'viewer' }, 201);
  await signIn(page, viewer.email, viewer.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Files' }).click();
  await expect(page.getByText('Uploading and deleting files needs the files:write permission.')).toBeVisible();
  await expect(page.getByLabel('File of records')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'No files that you can see yet' })).toBeVisible();
  await expect(page.getByText(/admins see every file/)).toBeVisible();
});
