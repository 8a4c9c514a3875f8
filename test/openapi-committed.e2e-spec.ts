import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestApp, type TestApp } from './utils/test-app';

/** The console's typed client is generated from the committed `openapi.json`: it must be what the API serves. */
describe('the committed OpenAPI document', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('is the document the API serves at /docs-json', async () => {
    const served: unknown = (await request(t.http).get('/docs-json').expect(200)).body;
    const committed: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8'));
    const same = JSON.stringify(committed) === JSON.stringify(served);
    if (!same) {
      // The generated console client would drift from the API: the diff below says where.
      expect({
        hint: 'openapi.json is out of date: run `npm run openapi` and commit the result',
        doc: committed,
      }).toEqual({
        hint: 'openapi.json is out of date: run `npm run openapi` and commit the result',
        doc: served,
      });
    }
    expect(same).toBe(true);
  });
});
