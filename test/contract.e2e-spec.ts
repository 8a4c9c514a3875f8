import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ErrorCode } from '../src/common/errors/error-code';
import { createTestApp, type TestApp } from './utils/test-app';

/** `docs/api.md` and the served OpenAPI document are one contract: neither names a route or a code the other lacks. */
describe('docs/api.md and the OpenAPI document agree', () => {
  const contract = readFileSync(join(__dirname, '..', 'docs', 'api.md'), 'utf8');
  let t: TestApp;
  let served: Set<string>;

  beforeAll(async () => {
    t = await createTestApp();
    const doc = (await request(t.http).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    served = new Set(
      Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/'))
        .flatMap(([path, ops]) =>
          Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
        ),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every `METHOD /api/v1/…` the page names, and the paths a `GET/PATCH/DELETE /api/v1/x` shorthand spreads over. */
  function documented(): Set<string> {
    const routes = new Set<string>();
    for (const match of contract.matchAll(
      /`((?:GET|POST|PUT|PATCH|DELETE)(?:\/(?:GET|POST|PUT|PATCH|DELETE))*) (\/api\/v1\/[^`\s?]*)/g,
    )) {
      for (const method of match[1].split('/')) routes.add(`${method} ${match[2]}`);
    }
    return routes;
  }

  it('documents every route the API serves', () => {
    const missing = [...served].filter((route) => !documented().has(route));
    expect(missing).toEqual([]);
  });

  it('serves every route it documents', () => {
    const unserved = [...documented()].filter((route) => !served.has(route));
    expect(unserved).toEqual([]);
  });

  it('lists every error code the API sends', () => {
    const missing = Object.values(ErrorCode).filter((code) => !contract.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
