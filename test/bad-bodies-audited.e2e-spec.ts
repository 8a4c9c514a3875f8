import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

jest.setTimeout(60_000);

/**
 * A body refused as it is read (not JSON, another type, too large, too deep, NUL, a number beyond a double, a
 * broken compression) is answered once the caller is known: after a 401 or 403, and on a state-changing route
 * audited as the route's failure, like a body the validation refuses.
 */
describe('Bodies refused as they are read', () => {
  let t: TestApp;
  let op: TestUser;
  let viewer: TestUser;
  let agentId: string;
  let kept: unknown;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    viewer = await createUser(t, 'viewer');
    agentId = (await createAgent(t, op, { type: 'calculator', name: 'kept' })).id;
    [kept] = await t.dataSource.query(`SELECT name, description, concurrency FROM agents WHERE id = $1`, [agentId]);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  const patch = (body: string, headers: Record<string, string> = {}) => {
    const req = request(t.http).patch(`/api/v1/agents/${agentId}`).set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    return req.send(body);
  };
  const entries = async (action: string, since: number) => {
    await t.chainAudit();
    return t.dataSource.query<{ outcome: string; error: string | null; resourceId: string | null }[]>(
      `SELECT outcome, details->>'error' AS error, resource_id AS "resourceId" FROM audit_logs
        WHERE action = $1 AND seq > $2 ORDER BY seq`,
      [action, since],
    );
  };
  const lastSeq = async () => {
    await t.chainAudit();
    const [{ seq }] = await t.dataSource.query<{ seq: string }[]>(
      `SELECT coalesce(max(seq), 0) AS seq FROM audit_logs`,
    );
    return Number(seq);
  };
  const deep = `${'['.repeat(70)}${']'.repeat(70)}`;

  it.each([
    ['NUL in a string', '{"name":"a\\u0000"}', {}, 400, 'VALIDATION_FAILED'],
    ['a number beyond a double', '{"concurrency":1e400}', {}, 400, 'VALIDATION_FAILED'],
    ['JSON nested too deep', `{"config":${deep}}`, {}, 400, 'BAD_REQUEST'],
    ['text that is not JSON', '{"name":"a"', {}, 400, 'BAD_REQUEST'],
    ['another content type', '{}', { 'Content-Type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the limit', JSON.stringify({ description: 'x'.repeat(1_100_000) }), {}, 413, 'PAYLOAD_TOO_LARGE'],
    ['a body that is not gzip', '{"name":"a"}', { 'Content-Encoding': 'gzip' }, 400, 'BAD_REQUEST'],
  ])('audits %s as the route’s failure, and changes nothing', async (_what, body, headers, status, code) => {
    const since = await lastSeq();
    const res = await patch(body, { ...Object.fromEntries([bearer(op)]), ...headers });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await entries('agent.update', since)).toEqual([{ outcome: 'failure', error: code, resourceId: agentId }]);
    const [agent] = await t.dataSource.query(`SELECT name, description, concurrency FROM agents WHERE id = $1`, [
      agentId,
    ]);
    expect(agent).toEqual(kept);
  });

  it('answers 401 first to a caller with no credentials, audited as such', async () => {
    const since = await lastSeq();
    const res = await patch('{"name":"a\\u0000"}');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(await entries('auth.unauthenticated', since)).toEqual([
      { outcome: 'denied', error: null, resourceId: null },
    ]);
    expect(await entries('agent.update', since)).toEqual([]);
  });

  it('answers 403 first to a caller without the permission, audited as such', async () => {
    const since = await lastSeq();
    const res = await patch('not json', Object.fromEntries([bearer(viewer)]));
    expect(res.status).toBe(403);
    expect(await entries('permission.denied', since)).toHaveLength(1);
  });

  it('still refuses a bad body at once outside the API (the queue board)', async () => {
    const res = await request(t.http)
      .put('/admin/queues/api/queues/tasks/pause')
      .set('Content-Type', 'application/json')
      .send('not json');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });
});
