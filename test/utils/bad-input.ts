import request from 'supertest';
import { bearer, type TestUser } from '../factories/users';
import type { TestApp } from './test-app';

/** The contract's answer to bad input: a 400 `VALIDATION_FAILED` in the error envelope naming the field. */
export function expectRefused(res: request.Response, field: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  expect(res.body.status).toBe('error');
  expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

/** What a test of bad input reads and sends: stored task states, a table's row count, a raw JSON body. */
export function badInputProbes(app: () => TestApp) {
  return {
    statuses: async () =>
      (await app().dataSource.query(`SELECT id, status FROM tasks ORDER BY id`)) as { id: string; status: string }[],
    count: async (table: string) =>
      ((await app().dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0] as { n: number }).n,
    raw: (user: TestUser, url: string, body: string) =>
      request(app().http)
        .post(url)
        .set(...bearer(user))
        .set('Content-Type', 'application/json')
        .send(body),
  };
}
