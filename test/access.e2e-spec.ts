import request from 'supertest';
import { ADMIN, bearer, createUser, login, type TestUser, updateUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

type Role = 'admin' | 'operator' | 'viewer' | 'anonymous';

/** Each class of route with the status each role gets (2xx means allowed). */
const ROUTES: {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: (ctx: Ctx) => string;
  body?: object;
  allowed: Role[];
}[] = [
  { name: 'own profile', method: 'get', path: () => '/api/v1/auth/me', allowed: ['admin', 'operator', 'viewer'] },
  { name: 'list users', method: 'get', path: () => '/api/v1/users', allowed: ['admin'] },
  { name: 'read a user', method: 'get', path: (c) => `/api/v1/users/${c.viewer.id}`, allowed: ['admin'] },
  {
    name: 'change a user',
    method: 'patch',
    path: (c) => `/api/v1/users/${c.target.id}`,
    body: { name: 'Renamed' },
    allowed: ['admin'],
  },
  { name: 'list API keys', method: 'get', path: () => '/api/v1/api-keys', allowed: ['admin', 'operator'] },
  {
    name: 'create API key',
    method: 'post',
    path: () => '/api/v1/api-keys',
    body: { name: 'k', scopes: ['agents:read'] },
    allowed: ['admin', 'operator'],
  },
  { name: 'query audit log', method: 'get', path: () => '/api/v1/audit-logs', allowed: ['admin'] },
  { name: 'verify audit log', method: 'get', path: () => '/api/v1/audit-logs/verify', allowed: ['admin'] },
];

interface Ctx {
  admin: TestUser;
  operator: TestUser;
  viewer: TestUser;
  target: TestUser;
}

describe('RBAC, API keys and ownership', () => {
  let t: TestApp;
  let ctx: Ctx;

  beforeAll(async () => {
    t = await createTestApp();
    ctx = {
      admin: await login(t.http, ADMIN.email, ADMIN.password),
      operator: await createUser(t, 'operator'),
      viewer: await createUser(t, 'viewer'),
      target: await createUser(t, 'viewer'),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const roles: Role[] = ['admin', 'operator', 'viewer', 'anonymous'];
  for (const route of ROUTES) {
    for (const role of roles) {
      const expected = route.allowed.includes(role) ? 'allowed' : role === 'anonymous' ? 401 : 403;
      it(`${role} → ${route.name}: ${expected}`, async () => {
        let req = request(t.http)[route.method](route.path(ctx));
        if (role !== 'anonymous') req = req.set(...bearer(ctx[role]));
        const res = await (route.body ? req.send(route.body) : req);
        if (expected === 'allowed') {
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(expected);
          expect(res.body.error.code).toBe(expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        }
      });
    }
  }

  it('records every denied request in the audit log', async () => {
    await t.chainAudit();
    const rows = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE outcome = 'denied' AND action = 'permission.denied'`,
    );
    const forbidden = ROUTES.reduce(
      (n, r) => n + roles.filter((x) => x !== 'anonymous' && !r.allowed.includes(x)).length,
      0,
    );
    expect(rows[0].n).toBe(forbidden);
  });

  it('API keys: shown once, stored hashed, scoped, and revoked at once', async () => {
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .send({ name: 'ci', scopes: ['apikeys:manage'] })
      .expect(201);
    const { key, id, prefix } = created.body.data;
    expect(key).toMatch(/^ymk_/);
    expect(key.startsWith(prefix)).toBe(true);
    const [row] = await t.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [id]);
    expect(row.key_hash).not.toContain(key);
    const list = await request(t.http)
      .get('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .expect(200);
    expect(JSON.stringify(list.body)).not.toContain(key);

    await request(t.http).get('/api/v1/api-keys').set('X-API-Key', key).expect(200);
    await request(t.http).get('/api/v1/auth/me').set('X-API-Key', key).expect(200);
    await request(t.http).get('/api/v1/users').set('X-API-Key', key).expect(403);
    await request(t.http).get('/api/v1/api-keys').set('X-API-Key', `${key}x`).expect(401);

    const [used] = await t.dataSource.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [id]);
    expect(used.last_used_at).not.toBeNull();

    await request(t.http)
      .delete(`/api/v1/api-keys/${id}`)
      .set(...bearer(ctx.operator))
      .expect(204);
    const revoked = await request(t.http).get('/api/v1/api-keys').set('X-API-Key', key).expect(401);
    // Said to be the key's fault, not as if no credentials had come.
    expect(revoked.body.error).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'The API key is not valid: unknown, revoked or expired, or its user deactivated',
    });
    const none = await request(t.http).get('/api/v1/api-keys').expect(401);
    expect(none.body.error.message).toBe('Authentication required');
    const token = await request(t.http).get('/api/v1/api-keys').set('Authorization', 'Bearer not.a.token').expect(401);
    expect(token.body.error.message).toBe('The access token is not valid: expired, revoked or not ours');
  });

  it('refuses scopes beyond the creator’s permissions and expired keys', async () => {
    const over = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .send({ name: 'too much', scopes: ['agents:read', 'users:manage'] })
      .expect(400);
    expect(over.body.error.details).toEqual([expect.objectContaining({ field: '/scopes/1' })]);
    const none = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .send({ name: 'nothing', scopes: [] })
      .expect(400);
    expect(none.body.error.details).toEqual([expect.objectContaining({ field: '/scopes' })]);
    const unknown = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .send({ name: 'odd', scopes: ['agents:read', 5, 'tasks:read', 'nope'] })
      .expect(400);
    expect(unknown.body.error.details).toEqual([
      { field: '/scopes/1', message: expect.stringMatching(/^must be one of the following values: agents:read, /) },
      { field: '/scopes/3', message: expect.stringMatching(/^must be one of the following values: /) },
    ]);
    const past = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .send({ name: 'old', scopes: ['agents:read'], expiresAt: '2020-01-01T00:00:00Z' })
      .expect(400);
    expect(past.body.error.details[0].field).toBe('/expiresAt');
    const soon = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(ctx.operator))
      .send({ name: 'soon', scopes: ['apikeys:manage'], expiresAt: new Date(Date.now() + 60_000).toISOString() })
      .expect(201);
    // A key makes no key: one would outlive the revocation of the other.
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`))[0].n as number;
    const child = await request(t.http)
      .post('/api/v1/api-keys')
      .set('X-API-Key', soon.body.data.key)
      .send({ name: 'child', scopes: ['apikeys:manage'] })
      .expect(403);
    expect(child.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Creating an API key takes a signed-in user, not an API key',
    });
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`))[0].n).toBe(before);
    await t.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      soon.body.data.id,
    ]);
    await request(t.http).get('/api/v1/api-keys').set('X-API-Key', soon.body.data.key).expect(401);
  });

  it('holds a user to 25 active keys at once, however many are asked for together; a revoked or expired one frees its place', async () => {
    const user = await createUser(t, 'operator');
    const create = () =>
      request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(user))
        .send({ name: 'many', scopes: ['agents:read'] });
    // 30 at once: the last places are taken by one creation at a time.
    const first = await Promise.all(Array.from({ length: 30 }, () => create()));
    expect(first.filter((r) => r.status === 201)).toHaveLength(25);
    for (const refused of first.filter((r) => r.status !== 201)) {
      expect([refused.status, refused.body.error.code]).toEqual([409, 'CONFLICT']);
    }
    const active = `SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL`;
    expect((await t.dataSource.query(active, [user.id]))[0].n).toBe(25);
    const [revoked, expired] = first.filter((r) => r.status === 201).map((r) => r.body.data.id as string);
    await request(t.http)
      .delete(`/api/v1/api-keys/${revoked}`)
      .set(...bearer(user))
      .expect(204);
    await create().expect(201);
    await create().expect(409);
    await t.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired]);
    await create().expect(201);
  });

  it("user B reading or revoking user A's API key gets 404 and never sees it", async () => {
    const a = await createUser(t, 'operator');
    const b = await createUser(t, 'operator');
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(a))
      .send({ name: 'mine', scopes: ['agents:read'] })
      .expect(201);
    const listB = await request(t.http)
      .get('/api/v1/api-keys')
      .set(...bearer(b))
      .expect(200);
    expect(listB.body.data.map((k: { id: string }) => k.id)).not.toContain(created.body.data.id);
    const res = await request(t.http)
      .delete(`/api/v1/api-keys/${created.body.data.id}`)
      .set(...bearer(b))
      .expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    await request(t.http).get('/api/v1/auth/me').set('X-API-Key', created.body.data.key).expect(200);
  });

  it('a deactivated owner’s keys stop working at once', async () => {
    const owner = await createUser(t, 'operator');
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(owner))
      .send({ name: 'k', scopes: ['apikeys:manage'] })
      .expect(201);
    await request(t.http).get('/api/v1/api-keys').set('X-API-Key', created.body.data.key).expect(200);
    await updateUser(t, ctx.admin, owner.id, { isActive: false });
    await request(t.http).get('/api/v1/api-keys').set('X-API-Key', created.body.data.key).expect(401);
  });

  it('the queue board session: a key may clear the cookie (documented so) but not open one (bearer only)', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    const route = doc.paths['/api/v1/queues/board-session'];
    const schemes = (method: string) => (route[method].security ?? []).flatMap((s) => Object.keys(s)).sort();
    expect(schemes('delete')).toEqual(['apiKey', 'bearer']);
    expect(schemes('post')).toEqual(['bearer']);

    const key = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(ctx.admin))
        .send({ name: 'board', scopes: ['queues:manage'] })
        .expect(201)
    ).body.data.key as string;
    const cleared = await request(t.http).delete('/api/v1/queues/board-session').set('X-API-Key', key).expect(204);
    expect(String(cleared.headers['set-cookie'])).toMatch(/^ymera_board=;.*Path=\/admin\/queues/);
    const opened = await request(t.http).post('/api/v1/queues/board-session').set('X-API-Key', key).expect(403);
    expect(opened.body.error).toEqual({
      code: 'FORBIDDEN',
      message: 'A board session is for a signed-in user, not an API key',
    });
    expect(opened.headers['set-cookie']).toBeUndefined();
  });
});
