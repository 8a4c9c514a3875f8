import request from 'supertest';
import type { TestApp } from '../utils/test-app';
import { bearer, type TestUser } from './users';

/** Stores `records` as `user`'s NDJSON file (`POST /files`, 201) and gives its id, for a data-processor's `file`. */
export async function storeRecords(
  t: TestApp,
  user: TestUser,
  records: object[],
  name = 'records.ndjson',
): Promise<string> {
  const res = await request(t.http)
    .post(`/api/v1/files?name=${encodeURIComponent(name)}`)
    .set(...bearer(user))
    .set('Content-Type', 'application/x-ndjson')
    .send(records.map((record) => JSON.stringify(record)).join('\n') + '\n')
    .expect(201);
  return res.body.data.id as string;
}
