import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { contractValuesModule } from '../src/app/contract-values';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * The console's typed client and the contract's values its checks use are generated from the committed
 * `openapi.json` (`npm run openapi`): they must be what the API serves.
 */
describe('the committed OpenAPI document', () => {
  let t: TestApp;
  let served: unknown;

  beforeAll(async () => {
    t = await createTestApp();
    served = (await request(t.http).get('/docs-json').expect(200)).body;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('is the document the API serves at /docs-json', () => {
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

  it("gives the console's values of the contract (web/src/api/contract-values.ts)", () => {
    const committed = readFileSync(join(__dirname, '..', 'web', 'src', 'api', 'contract-values.ts'), 'utf8');
    // A value the document gives differently (or no longer) means the console checks against an old contract.
    expect({
      hint: 'contract-values.ts is out of date: run `npm run openapi` and commit the result',
      committed,
    }).toEqual({
      hint: 'contract-values.ts is out of date: run `npm run openapi` and commit the result',
      committed: contractValuesModule(served),
    });
  });
});
