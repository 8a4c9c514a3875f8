import { Client } from 'pg';
import request from 'supertest';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { AuditService } from '../src/audit/audit.service';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('audit log', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  const entries = async (query: string) =>
    (
      await request(t.http)
        .get(`/api/v1/audit-logs?${query}`)
        .set(...bearer(admin))
        .expect(200)
    ).body;

  it('writes one entry per action with the right outcome, actor and request id', async () => {
    const res = await request(t.http)
      .post('/api/v1/auth/register')
      .set('X-Request-Id', 'req-audit-1')
      .send({ email: 'audited@example.com', password: 'a long enough password', name: 'A' })
      .expect(201);
    await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: 'audited@example.com', password: 'wrong password!!' })
      .expect(401);
    const register = await entries('action=auth.register');
    expect(register.data).toHaveLength(1);
    expect(register.data[0]).toEqual(
      expect.objectContaining({
        outcome: 'success',
        resourceId: res.body.data.id,
        requestId: 'req-audit-1',
        resourceType: 'user',
      }),
    );
    // A password typed into the email field is not kept; an unknown address is.
    await request(t.http).post('/api/v1/auth/login').send({ email: 'Hunter2-typed-here', password: 'x' }).expect(401);
    await request(t.http).post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: 'x' }).expect(401);
    const failed = await entries('action=auth.login&outcome=failure');
    expect(failed.meta.total).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(failed.data)).not.toContain('wrong password');
    expect(JSON.stringify(failed.data)).not.toContain('Hunter2');
    const emails = (failed.data as { details: { email: string | null } }[]).map((e) => e.details.email);
    expect(emails).toEqual(expect.arrayContaining(['audited@example.com', 'nobody@example.com', null]));

    const op = await createUser(t, 'operator');
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(op))
      .send({ name: 'k', scopes: ['agents:read'] })
      .expect(201);
    const keyEntries = await entries(`resourceType=apiKey&resourceId=${key.body.data.id}`);
    expect(keyEntries.data).toEqual([
      expect.objectContaining({ action: 'apikey.create', actorType: 'user', actorId: op.id }),
    ]);
    expect(JSON.stringify(keyEntries.data)).not.toContain(key.body.data.key);

    const bad = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(op))
      .send({ name: '', scopes: [] })
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const failures = await entries(`action=apikey.create&outcome=failure&actorId=${op.id}`);
    expect(failures.data).toHaveLength(1);

    await request(t.http)
      .get('/api/v1/audit-logs')
      .set(...bearer(op))
      .expect(403);
    const denied = await entries(`action=permission.denied&actorId=${op.id}`);
    expect(denied.data).toHaveLength(1);
  });

  it("writes a change's entry with its caller, IP and request id, in the change's transaction", async () => {
    const op = await createUser(t, 'operator');
    const send = (requestId: string, method: 'post' | 'patch', path: string, body: object) =>
      request(t.http)
        [method](`/api/v1${path}`)
        .set(...bearer(op))
        .set('X-Request-Id', requestId)
        .set('User-Agent', `ua-${requestId}`)
        .send(body);
    const agent = await send('req-change-create', 'post', '/agents', { name: 'audited-1', type: 'calculator' }).expect(
      201,
    );
    await send('req-change-other', 'post', '/agents', { name: 'audited-2', type: 'calculator' }).expect(201);
    const id = agent.body.data.id as string;
    await send('req-change-patch', 'patch', `/agents/${id}`, { description: 'changed' }).expect(200);
    // Refused by validation: the failure names the caller all the same.
    const bad = await send('req-change-bad-body', 'patch', `/agents/${id}`, { concurrency: 'many' }).expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    // The service wrote its success entry, then the unique name rolled the change back, and the entry with it.
    const taken = await send('req-change-conflict', 'patch', `/agents/${id}`, { name: 'audited-2' }).expect(409);
    expect(taken.body.error.code).toBe('CONFLICT');
    await t.chainAudit();
    const rows = (await t.dataSource.query(
      `SELECT request_id, action, outcome, resource_id, actor_type, actor_id, ip, user_agent, details
         FROM audit_logs WHERE request_id LIKE 'req-change-%' AND request_id <> 'req-change-other' ORDER BY seq`,
    )) as Record<string, unknown>[];
    const entry = (requestId: string, action: string, outcome: string, details: object = expect.anything()) => ({
      request_id: requestId,
      action,
      outcome,
      resource_id: id,
      actor_type: 'user',
      actor_id: op.id,
      ip: expect.stringMatching(/127\.0\.0\.1/),
      user_agent: `ua-${requestId}`,
      details,
    });
    expect(rows).toEqual([
      entry('req-change-create', 'agent.create', 'success'),
      entry('req-change-patch', 'agent.update', 'success'),
      entry('req-change-bad-body', 'agent.update', 'failure', { error: 'VALIDATION_FAILED' }),
      entry('req-change-conflict', 'agent.update', 'failure', { error: 'CONFLICT' }),
    ]);
  });

  it('leaves out the actions named in excludeAction, and refuses more than 10 of them', async () => {
    const user = await createUser(t, 'viewer');
    for (let i = 0; i < 2; i += 1) {
      await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      user.refreshToken = (await login(t.http, user.email, user.password)).refreshToken;
    }
    const mine = `actorId=${user.id}`;
    const all = (await entries(mine)).data as { action: string }[];
    // An id in upper case finds the same entries.
    expect((await entries(`actorId=${user.id.toUpperCase()}`)).data).toEqual(all);
    expect(all.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.refresh', 'auth.login']));
    const without = (await entries(`${mine}&excludeAction=auth.refresh`)).data as { action: string }[];
    expect(without.length).toBe(all.filter((e) => e.action !== 'auth.refresh').length);
    expect(without.map((e) => e.action)).not.toContain('auth.refresh');
    const neither = (await entries(`${mine}&excludeAction=auth.refresh,%20auth.login`)).data as { action: string }[];
    expect(neither.map((e) => e.action)).not.toEqual(expect.arrayContaining(['auth.login']));
    expect(neither.map((e) => e.action)).not.toContain('auth.refresh');
    const many = Array.from({ length: 11 }, (_, i) => `a.${i}`).join(',');
    await request(t.http)
      .get(`/api/v1/audit-logs?excludeAction=${many}`)
      .set(...bearer(admin))
      .expect(400);
  });

  it('keeps the chain intact under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.http)
          .post('/api/v1/auth/login')
          .send({ email: `nobody${i}@example.com`, password: 'whatever-whatever' }),
      ),
    );
    const verify = await request(t.http)
      .get('/api/v1/audit-logs/verify')
      .set(...bearer(admin))
      .expect(200);
    expect(verify.body.data).toEqual(
      expect.objectContaining({ valid: true, checked: expect.any(Number), complete: true, fromSeq: '1' }),
    );
    expect(verify.body.data.anchor).toEqual({ kind: 'genesis', seq: '0', hash: '0'.repeat(64) });
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_logs');
    expect(verify.body.data.checked).toBe(n);
    const links = await t.dataSource.query(
      `SELECT a.seq FROM audit_logs a JOIN audit_logs b ON b.seq = a.seq - 1 WHERE a.prev_hash <> b.hash`,
    );
    expect(links).toEqual([]);
  });

  it('chains entries in the background, in the order they were written, with no read asking for it', async () => {
    const requestIds = Array.from({ length: 5 }, (_, i) => `req-background-${i}`);
    for (const id of requestIds) {
      await request(t.http)
        .post('/api/v1/auth/login')
        .set('X-Request-Id', id)
        .send({ email: 'background@example.com', password: 'whatever-whatever' })
        .expect(401);
    }
    const chained = await waitFor(async () => {
      const rows: { request_id: string }[] = await t.dataSource.query(
        `SELECT request_id FROM audit_logs WHERE request_id = ANY($1) ORDER BY seq`,
        [requestIds],
      );
      return rows.length === requestIds.length && rows;
    });
    expect(chained.map((r) => r.request_id)).toEqual(requestIds);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_pending`);
    expect(n).toBe(0);
  });

  it('keeps an entry only when its change commits', async () => {
    const before = await entries('action=test.rolled_back');
    await expect(
      t.dataSource.transaction(async (em) => {
        await t.app.get(AuditService).record({ action: 'test.rolled_back', outcome: 'success' }, em);
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    await t.app.get(AuditService).record({ action: 'test.rolled_back', outcome: 'failure' });
    const after = await entries('action=test.rolled_back');
    expect(after.meta.total).toBe(before.meta.total + 1);
    expect(after.data[0].outcome).toBe('failure');
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the table', async () => {
    await expect(t.dataSource.query(`UPDATE audit_logs SET outcome = 'success'`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM audit_logs`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`TRUNCATE audit_logs`)).rejects.toThrow(/append-only/);
  });

  it('verify detects a row altered behind its back', async () => {
    const [victim] = await t.dataSource.query(`SELECT id FROM audit_logs ORDER BY seq OFFSET 3 LIMIT 1`);
    const client = new Client({ connectionString: t.env.config.database.url });
    await client.connect();
    try {
      // Switches the append-only trigger off for this session only, as someone with superuser rights could.
      await client.query(`SET session_replication_role = replica`);
      await client.query(`UPDATE audit_logs SET details = '{"tampered":true}' WHERE id = $1`, [victim.id]);
    } finally {
      await client.end();
    }
    const verify = await request(t.http)
      .get('/api/v1/audit-logs/verify')
      .set(...bearer(admin))
      .expect(200);
    expect(verify.body.data).toEqual(
      expect.objectContaining({ valid: false, checked: 4, firstBrokenId: victim.id, reason: 'hash', complete: true }),
    );
    // A range that starts after the altered entry is anchored on the stored hash before it, and holds.
    const [{ seq }] = await t.dataSource.query(`SELECT seq FROM audit_logs WHERE id = $1`, [victim.id]);
    const after = await request(t.http)
      .get(`/api/v1/audit-logs/verify?fromSeq=${Number(seq) + 1}`)
      .set(...bearer(admin))
      .expect(200);
    expect(after.body.data).toEqual(
      expect.objectContaining({ valid: true, fromSeq: String(Number(seq) + 1), complete: true }),
    );
    expect(after.body.data.anchor).toEqual(expect.objectContaining({ kind: 'entry', seq: String(seq) }));
    // A range that holds it finds it.
    const around = await request(t.http)
      .get(`/api/v1/audit-logs/verify?fromSeq=${seq}&toSeq=${Number(seq) + 2}`)
      .set(...bearer(admin))
      .expect(200);
    expect(around.body.data).toEqual(
      expect.objectContaining({ valid: false, checked: 1, firstBrokenSeq: String(seq), reason: 'hash' }),
    );
  });
});
