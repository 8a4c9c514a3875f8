import request from 'supertest';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

describe('users: admins create users and reset passwords', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a user with a role, refuses a taken email and bad input, and audits it', async () => {
    const created = await request(t.http)
      .post('/api/v1/users')
      .set(...bearer(admin))
      .send({ email: 'Op@Example.com', name: 'Op', password: 'a long enough password', role: 'operator' })
      .expect(201);
    expect(created.body.data).toEqual(
      expect.objectContaining({ email: 'op@example.com', name: 'Op', role: 'operator', isActive: true }),
    );
    expect(JSON.stringify(created.body)).not.toContain('password');
    const op = await login(t.http, 'op@example.com', 'a long enough password');
    const me = await request(t.http)
      .get('/api/v1/auth/me')
      .set(...bearer(op))
      .expect(200);
    expect(me.body.data.permissions).toContain('agents:write');

    const dup = await request(t.http)
      .post('/api/v1/users')
      .set(...bearer(admin))
      .send({ email: 'OP@example.com', name: 'Op 2', password: 'another long password', role: 'viewer' })
      .expect(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    expect(dup.body.error.details).toEqual([{ field: '/email', message: 'A user with this email already exists' }]);
    const bad = await request(t.http)
      .post('/api/v1/users')
      .set(...bearer(admin))
      .send({ email: 'x@example.com', name: 'X', password: 'short', role: 'root' })
      .expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['/password', '/role']);

    await t.chainAudit();
    const entries = await t.dataSource.query(
      `SELECT outcome, actor_id, details FROM audit_logs WHERE action = 'user.create' ORDER BY seq`,
    );
    expect(entries.map((e: { outcome: string }) => e.outcome)).toEqual(['success', 'failure', 'failure']);
    expect(entries[0].actor_id).toBe(admin.id);
    expect(JSON.stringify(entries)).not.toContain('a long enough password');
  });

  it('is for admins only', async () => {
    const op = await createUser(t, 'operator');
    const res = await request(t.http)
      .post('/api/v1/users')
      .set(...bearer(op))
      .send({ email: 'y@example.com', name: 'Y', password: 'a long enough password', role: 'admin' })
      .expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    await request(t.http)
      .post(`/api/v1/users/${op.id}/password`)
      .set(...bearer(op))
      .send({ password: 'a brand new password' })
      .expect(403);
  });

  it('resets a password: the old one, earlier access tokens and refresh tokens stop working', async () => {
    const user = await createUser(t, 'viewer');
    await request(t.http)
      .post(`/api/v1/users/${user.id}/password`)
      .set(...bearer(admin))
      .send({ password: 'a brand new password' })
      .expect(204);
    await request(t.http)
      .get('/api/v1/auth/me')
      .set(...bearer(user))
      .expect(401);
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await request(t.http).post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(401);
    const again = await login(t.http, user.email, 'a brand new password');
    await request(t.http)
      .get('/api/v1/auth/me')
      .set(...bearer(again))
      .expect(200);

    await request(t.http)
      .post('/api/v1/users/00000000-0000-4000-8000-000000000000/password')
      .set(...bearer(admin))
      .send({ password: 'a brand new password' })
      .expect(404);
    const short = await request(t.http)
      .post(`/api/v1/users/${user.id}/password`)
      .set(...bearer(admin))
      .send({ password: 'short' })
      .expect(400);
    expect(short.body.error.details[0].field).toBe('/password');

    await t.chainAudit();
    const entries = await t.dataSource.query(
      `SELECT outcome, resource_id FROM audit_logs WHERE action = 'user.password_reset' ORDER BY seq`,
    );
    expect(entries.map((e: { outcome: string }) => e.outcome)).toEqual(['success', 'failure', 'failure']);
    expect(entries[0].resource_id).toBe(user.id);
  });

  it('keeps an admin: none may demote or deactivate themself, and the last active admin stays one', async () => {
    const patch = (who: TestUser, id: string, body: object) =>
      request(t.http)
        .patch(`/api/v1/users/${id}`)
        .set(...bearer(who))
        .send(body);
    const [adminRow] = await t.dataSource.query(`SELECT id FROM users WHERE email = $1`, [ADMIN.email]);

    for (const body of [{ role: 'viewer' }, { isActive: false }]) {
      const res = await patch(admin, adminRow.id, body).expect(409);
      expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/your own role/) });
    }
    // Renaming oneself is fine.
    await patch(admin, adminRow.id, { name: 'Still admin' }).expect(200);
    // The admin's own API key acts for them: it is refused the same way.
    const key = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(admin))
        .send({ name: 'self', scopes: ['users:manage'] })
        .expect(201)
    ).body.data as { key: string };
    for (const body of [{ role: 'viewer' }, { isActive: false }]) {
      const res = await request(t.http)
        .patch(`/api/v1/users/${adminRow.id}`)
        .set('X-API-Key', key.key)
        .send(body)
        .expect(409);
      expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/your own role/) });
    }

    // A second admin: each may demote the other, but not the last one left.
    const second = await createUser(t, 'admin');
    const [first, other] = await Promise.all([
      patch(admin, second.id, { role: 'operator' }),
      patch(second, adminRow.id, { role: 'operator' }),
    ]);
    // Both at once: one wins, and the other is refused (its caller is no longer an admin, or is the last one).
    expect([first.status, other.status].sort()).toEqual([200, expect.any(Number)]);
    expect([401, 403, 409]).toContain(Math.max(first.status, other.status));
    const [{ admins }] = await t.dataSource.query(
      `SELECT count(*)::int AS admins FROM users WHERE role = 'admin' AND is_active`,
    );
    expect(admins).toBe(1);
    // The tests after this one act as the first admin: when the race demoted them, the winner makes them one again.
    if (other.status === 200) {
      await patch(second, adminRow.id, { role: 'admin' }).expect(200);
      admin = await login(t.http, ADMIN.email, ADMIN.password);
    }
  });

  it("refuses an API key, an admin's included, what would outlive it: users, passwords and admin accounts", async () => {
    const key = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(admin))
        .send({ name: 'provisioning', scopes: ['users:manage'] })
        .expect(201)
    ).body.data as { key: string };
    const withKey = (method: 'post' | 'patch', path: string, body: object) =>
      request(t.http)[method](path).set('X-API-Key', key.key).send(body);
    const refused = async (res: request.Response, what: RegExp) => {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(what) });
    };
    const [adminRow] = await t.dataSource.query(`SELECT id, password_hash FROM users WHERE email = $1`, [ADMIN.email]);
    const operator = await createUser(t, 'operator');
    const otherAdmin = await createUser(t, 'admin');
    const stamp = Date.now();

    // A password, its own user's or anyone's.
    for (const id of [adminRow.id, operator.id]) {
      await refused(
        await withKey('post', `/api/v1/users/${id}/password`, { password: 'a-new-password-to-take-over' }),
        /Setting a password takes a signed-in admin/,
      );
    }
    const [after] = await t.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [adminRow.id]);
    expect(after.password_hash).toBe(adminRow.password_hash);
    await login(t.http, operator.email, operator.password);

    // A new user of any role: its password would log in after the key is revoked.
    for (const role of ['operator', 'viewer', 'admin']) {
      const res = await withKey('post', '/api/v1/users', {
        email: `made-${role}-${stamp}@example.com`,
        name: 'Made',
        password: 'a-password-for-the-new-one',
        role,
      });
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({
        code: 'FORBIDDEN',
        message: 'Creating a user takes a signed-in admin, not an API key',
      });
      await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: `made-${role}-${stamp}@example.com`, password: 'a-password-for-the-new-one' })
        .expect(401);
    }
    const [{ made }] = await t.dataSource.query(`SELECT count(*)::int AS made FROM users WHERE email LIKE $1`, [
      `made-%-${stamp}@example.com`,
    ]);
    expect(made).toBe(0);
    await t.chainAudit();
    const denials = await t.dataSource.query(
      `SELECT actor_type, outcome, details FROM audit_logs WHERE action = 'user.create' AND outcome = 'denied'`,
    );
    expect(denials).toEqual(
      ['operator', 'viewer', 'admin'].map(() => ({
        actor_type: 'apiKey',
        outcome: 'denied',
        details: expect.objectContaining({ error: 'FORBIDDEN' }),
      })),
    );
    expect(JSON.stringify(denials)).not.toContain('a-password-for-the-new-one');

    // An admin made of a user; an admin demoted or deactivated.
    await refused(await withKey('patch', `/api/v1/users/${operator.id}`, { role: 'admin' }), /Making an admin/);
    await refused(
      await withKey('patch', `/api/v1/users/${otherAdmin.id}`, { isActive: false }),
      /Demoting or deactivating an admin/,
    );
    await refused(
      await withKey('patch', `/api/v1/users/${otherAdmin.id}`, { role: 'viewer' }),
      /Demoting or deactivating an admin/,
    );
    // An admin deactivated by a signed-in admin is not brought back by a key, nor are the keys they made.
    const removed = await createUser(t, 'admin');
    const removedKey = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(removed))
        .send({ name: 'theirs', scopes: ['tasks:read'] })
        .expect(201)
    ).body.data as { key: string };
    await request(t.http)
      .patch(`/api/v1/users/${removed.id}`)
      .set(...bearer(admin))
      .send({ isActive: false })
      .expect(200);
    await refused(
      await withKey('patch', `/api/v1/users/${removed.id}`, { isActive: true }),
      /Reactivating an admin takes a signed-in admin/,
    );
    await refused(
      await withKey('patch', `/api/v1/users/${removed.id}`, { isActive: true, role: 'operator' }),
      /Demoting or deactivating an admin/,
    );
    await request(t.http).get('/api/v1/tasks').set('X-API-Key', removedKey.key).expect(401);
    expect(
      (await t.dataSource.query(`SELECT role, is_active AS "isActive" FROM users WHERE id = $1`, [removed.id]))[0],
    ).toEqual({ role: 'admin', isActive: false });
    const rows = (await t.dataSource.query(
      `SELECT email, role, is_active AS "isActive" FROM users WHERE id = ANY($1) ORDER BY email`,
      [[operator.id, otherAdmin.id]],
    )) as { role: string; isActive: boolean }[];
    expect(rows.map((r) => [r.role, r.isActive]).sort()).toEqual([
      ['admin', true],
      ['operator', true],
    ]);

    // What stays open to a key: a user a signed-in admin made, renamed, their role set, ended.
    const provisioned = await createUser(t, 'operator');
    await withKey('patch', `/api/v1/users/${provisioned.id}`, { role: 'viewer', name: 'Read only' }).expect(200);
    await withKey('patch', `/api/v1/users/${provisioned.id}`, { isActive: false }).expect(200);
    // A signed-in admin may do all of what the key was refused.
    await request(t.http)
      .patch(`/api/v1/users/${operator.id}`)
      .set(...bearer(admin))
      .send({ role: 'admin' })
      .expect(200);
  });
});
