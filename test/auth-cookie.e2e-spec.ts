import request from 'supertest';
import { createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

const CSRF: [string, string] = ['X-Requested-With', 'ymera'];

/** The `ymera_refresh=<value>` pair of a response's Set-Cookie, with the whole header line. */
function refreshCookie(res: request.Response): { pair: string; line: string } | undefined {
  const lines = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = lines.find((l) => l.startsWith('ymera_refresh='));
  return line ? { pair: line.split(';')[0], line } : undefined;
}

describe('browser sessions: the refresh token in an HttpOnly cookie', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t, 'viewer');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function cookieLogin(): Promise<string> {
    const res = await request(t.http)
      .post('/api/v1/auth/login')
      .set(...CSRF)
      .send({ email: user.email, password: user.password, useCookie: true })
      .expect(200);
    return refreshCookie(res)!.pair;
  }

  it('puts the refresh token in a scoped HttpOnly SameSite=Strict cookie, not the body', async () => {
    const res = await request(t.http)
      .post('/api/v1/auth/login')
      .set(...CSRF)
      .send({ email: user.email, password: user.password, useCookie: true })
      .expect(200);
    expect(res.body.data).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const cookie = refreshCookie(res)!;
    expect(cookie.pair).toMatch(/^ymera_refresh=[\w-]{40,}$/);
    const attributes = cookie.line.split(/;\s*/).slice(1);
    expect(attributes).toEqual(
      expect.arrayContaining(['Max-Age=2592000', 'Path=/api/v1/auth', 'HttpOnly', 'SameSite=Strict']),
    );
    // NODE_ENV=test: not Secure, so it works over plain HTTP on a developer's machine.
    expect(attributes).not.toContain('Secure');
    await request(t.http)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${res.body.data.accessToken}`)
      .expect(200);
  });

  it('refuses to set or read the cookie without the CSRF header', async () => {
    const login = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password, useCookie: true })
      .expect(403);
    expect(login.body.error).toEqual({
      code: 'FORBIDDEN',
      message: expect.stringContaining('X-Requested-With: ymera'),
    });
    expect(refreshCookie(login)).toBeUndefined();

    const cookie = await cookieLogin();
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
      const res = await request(t.http).post(path).set('Cookie', cookie).send({}).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      await request(t.http).post(path).set('Cookie', cookie).set('X-Requested-With', 'XMLHttpRequest').expect(403);
    }
    // Neither refused request spent or revoked the token.
    await request(t.http)
      .post('/api/v1/auth/refresh')
      .set('Cookie', cookie)
      .set(...CSRF)
      .expect(200);
    await t.chainAudit();
    const denied = await t.dataSource.query(
      `SELECT action FROM audit_logs WHERE outcome = 'denied' AND action IN ('auth.login', 'auth.refresh', 'auth.logout')`,
    );
    expect(denied.length).toBeGreaterThanOrEqual(5);
  });

  it('refreshes from the cookie into a new cookie, and a reused cookie revokes the family', async () => {
    const first = await cookieLogin();
    const rotated = await request(t.http)
      .post('/api/v1/auth/refresh')
      .set('Cookie', first)
      .set(...CSRF)
      .expect(200);
    expect(rotated.body.data.refreshToken).toBeUndefined();
    const second = refreshCookie(rotated)!.pair;
    expect(second).not.toBe(first);

    const reuse = await request(t.http)
      .post('/api/v1/auth/refresh')
      .set('Cookie', first)
      .set(...CSRF)
      .expect(401);
    expect(reuse.body.error.code).toBe('UNAUTHENTICATED');
    // The dead cookie is cleared.
    expect(refreshCookie(reuse)!.line).toMatch(/^ymera_refresh=;.*Expires=Thu, 01 Jan 1970/);
    await request(t.http)
      .post('/api/v1/auth/refresh')
      .set('Cookie', second)
      .set(...CSRF)
      .expect(401);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT outcome FROM audit_logs WHERE action = 'auth.refresh_reuse' AND actor_id = $1`,
      [user.id],
    );
    expect(entry.outcome).toBe('denied');
  });

  it('answers a body token in a cookie on request, and asks for a token when there is none', async () => {
    const body = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const moved = await request(t.http)
      .post('/api/v1/auth/refresh')
      .set(...CSRF)
      .send({ refreshToken: body.body.data.refreshToken, useCookie: true })
      .expect(200);
    expect(moved.body.data.refreshToken).toBeUndefined();
    expect(refreshCookie(moved)).toBeDefined();

    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
      const res = await request(t.http)
        .post(path)
        .set(...CSRF)
        .expect(400);
      expect(res.body.error.details).toEqual([{ field: '/refreshToken', message: expect.any(String) }]);
    }
  });

  it('writes no audit entry for a refresh or logout that presents no token, one for a token that does not work', async () => {
    const entries = async (): Promise<{ action: string; outcome: string }[]> => {
      await t.chainAudit();
      return t.dataSource.query(
        `SELECT action, outcome FROM audit_logs WHERE action IN ('auth.refresh', 'auth.logout') ORDER BY seq`,
      );
    };
    const before = await entries();
    const [{ seq: firstSeq }] = (await t.dataSource.query(`SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_logs`)) as {
      seq: string;
    }[];
    // No body token, no cookie (with or without the CSRF header).
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
      await request(t.http)
        .post(path)
        .set(...CSRF)
        .send({})
        .expect(400);
      await request(t.http)
        .post(path)
        .set('Cookie', 'ymera_refresh=')
        .set(...CSRF)
        .expect(400);
    }
    // The console's refresh on that page load asks for the cookie's session: there is none, which is no error.
    for (const cookie of [undefined, 'ymera_refresh=']) {
      const call = request(t.http)
        .post('/api/v1/auth/refresh')
        .set(...CSRF);
      const res = await (cookie ? call.set('Cookie', cookie) : call).send({ useCookie: true }).expect(204);
      expect(res.text).toBe('');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await request(t.http).post('/api/v1/auth/logout').send({ useCookie: undefined }).expect(400);
    expect(await entries()).toEqual(before);

    const unknown = 'ymera-refresh-token-that-was-never-issued';
    await request(t.http)
      .post('/api/v1/auth/refresh')
      .set('Cookie', `ymera_refresh=${unknown}`)
      .set(...CSRF)
      .expect(401);
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: unknown }).expect(401);
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: 'short' }).expect(400);
    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken: unknown }).expect(204);
    expect((await entries()).slice(before.length)).toEqual([
      { action: 'auth.refresh', outcome: 'failure' },
      { action: 'auth.refresh', outcome: 'failure' },
      { action: 'auth.refresh', outcome: 'failure' },
      { action: 'auth.logout', outcome: 'failure' },
    ]);
    // No one was identified: each entry names no one, and says a user's kind of credential was tried, as a
    // failed login for an unknown address and a call with a token that is not valid do; an unknown API key says so.
    await request(t.http).post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: 'x' }).expect(401);
    await request(t.http).post('/api/v1/agents').set('Authorization', 'Bearer not.a.token').send({}).expect(401);
    await request(t.http).post('/api/v1/agents').set('X-API-Key', 'ymk_unknown').send({}).expect(401);
    await t.chainAudit();
    const actors = await t.dataSource.query(
      `SELECT action, actor_type AS "actorType", actor_id AS "actorId" FROM audit_logs WHERE seq > $1 ORDER BY seq`,
      [firstSeq],
    );
    expect(actors).toEqual([
      ...['auth.refresh', 'auth.refresh', 'auth.refresh', 'auth.logout', 'auth.login', 'auth.unauthenticated'].map(
        (action) => ({ action, actorType: 'user', actorId: null }),
      ),
      { action: 'auth.unauthenticated', actorType: 'apiKey', actorId: null },
    ]);
  });

  it('logs out by cookie: the family is revoked and the cookie cleared', async () => {
    const cookie = await cookieLogin();
    const res = await request(t.http)
      .post('/api/v1/auth/logout')
      .set('Cookie', cookie)
      .set(...CSRF)
      .expect(204);
    expect(refreshCookie(res)!.line).toMatch(/^ymera_refresh=;.*Path=\/api\/v1\/auth/);
    await request(t.http)
      .post('/api/v1/auth/refresh')
      .set('Cookie', cookie)
      .set(...CSRF)
      .expect(401);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT outcome FROM audit_logs WHERE action = 'auth.logout' AND actor_id = $1 ORDER BY seq DESC LIMIT 1`,
      [user.id],
    );
    expect(entry.outcome).toBe('success');
  });
});
