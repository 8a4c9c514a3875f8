import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import * as OTPAuth from 'otpauth';
import request from 'supertest';
import { ADMIN, bearer, createUser, login, updateUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

describe('identity: register, login, tokens, MFA', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers a viewer, refuses duplicates in any case and short passwords', async () => {
    const res = await request(t.http)
      .post('/api/v1/auth/register')
      .send({ email: 'Ada@Example.com', password: 'correct horse battery', name: 'Ada' })
      .expect(201);
    expect(res.body.data).toEqual(
      expect.objectContaining({ email: 'ada@example.com', role: 'viewer', isActive: true }),
    );
    expect(JSON.stringify(res.body)).not.toContain('password');
    const dup = await request(t.http)
      .post('/api/v1/auth/register')
      .send({ email: 'ADA@example.COM', password: 'another long password', name: 'Ada 2' })
      .expect(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    const short = await request(t.http)
      .post('/api/v1/auth/register')
      .send({ email: 'bob@example.com', password: 'short', name: 'Bob' })
      .expect(400);
    expect(short.body.error.details[0].field).toBe('/password');
    for (const password of [' '.repeat(12), 'a'.repeat(20), 'abab'.repeat(4)]) {
      const weak = await request(t.http)
        .post('/api/v1/auth/register')
        .send({ email: 'weak@example.com', password, name: 'Weak' })
        .expect(400);
      expect(weak.body.error.details).toEqual([{ field: '/password', message: expect.stringMatching(/5 different/) }]);
    }
    expect(await t.dataSource.query(`SELECT 1 FROM users WHERE email = 'weak@example.com'`)).toEqual([]);
    const [row] = await t.dataSource.query(`SELECT password_hash FROM users WHERE email = 'ada@example.com'`);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('refuses an address with letters that could pass for another user’s, and takes a punycode domain', async () => {
    const register = (email: string) =>
      request(t.http).post('/api/v1/auth/register').send({ email, password: 'correct horse battery', name: 'Look' });
    // A Cyrillic а in the local part, a Cyrillic е in the domain, full-width letters, a Greek ο.
    for (const email of ['\u0430da@example.com', 'ada@\u0435xample.com', '\uff41da@example.com', 'ad\u03bf@x.io']) {
      const res = await register(email).expect(400);
      expect(res.body.error.details).toEqual([{ field: '/email', message: expect.stringMatching(/^must be ASCII/) }]);
    }
    // A quoted local part names the same mailbox as the bare one.
    for (const email of ['"admin"@ymera.local', '"a b"@example.com']) {
      const res = await register(email).expect(400);
      expect(res.body.error.details).toEqual([
        { field: '/email', message: expect.stringMatching(/^must not quote its local part/) },
      ]);
    }
    expect((await register('not an address').expect(400)).body.error.details).toEqual([
      { field: '/email', message: 'must be an e-mail address' },
    ]);
    // Fields left out are named as such, not by the check they would have failed.
    const empty = await request(t.http).post('/api/v1/auth/register').send({}).expect(400);
    expect(empty.body.error.details).toEqual([
      { field: '/email', message: 'is required' },
      { field: '/password', message: 'is required' },
      { field: '/name', message: 'is required' },
    ]);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM users WHERE octet_length(email) <> char_length(email)`,
    );
    expect(n).toBe(0);
    const idn = await register('ada@xn--bcher-kva.example').expect(201);
    expect(idn.body.data.email).toBe('ada@xn--bcher-kva.example');
  });

  it('logs in, answers the same 401 for unknown email and wrong password, and shows me', async () => {
    const tokens = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: 'ada@example.com', password: 'correct horse battery' })
      .expect(200);
    expect(tokens.body.data).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    const wrong = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: 'ada@example.com', password: 'nope-nope-nope' });
    const unknown = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: 'who@example.com', password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    const me = await request(t.http)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${tokens.body.data.accessToken}`)
      .expect(200);
    expect(me.body.data).toEqual(
      expect.objectContaining({
        email: 'ada@example.com',
        role: 'viewer',
        permissions: [
          'agents:read',
          'tasks:read',
          'workflows:read',
          'schedules:read',
          'webhooks:read',
          'hooks:read',
          'files:read',
        ],
      }),
    );
    expect(me.body.data.lastLoginAt).not.toBeNull();
    await request(t.http).get('/api/v1/auth/me').expect(401);
  });

  it('refuses tampered, expired, unexpiring, wrongly signed and foreign tokens', async () => {
    const user = await login(t.http, 'ada@example.com', 'correct horse battery');
    const [h, p, s] = user.accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url')}.${s}`;
    const secret = createSecretKey(Buffer.from(t.env.config.auth.jwtSecret));
    const jwt = new JwtService({ secret });
    const claims = { role: payload.role, tv: payload.tv };
    const base = { subject: payload.sub, issuer: 'ymera', audience: 'ymera-api' };
    const expired = jwt.sign(
      { ...claims, exp: Math.floor(Date.now() / 1000) - 10 },
      { subject: payload.sub, issuer: 'ymera', audience: 'ymera-api' },
    );
    const otherKey = new JwtService({ secret: createSecretKey(Buffer.from('another-secret-another-secret-123')) }).sign(
      claims,
      { ...base, expiresIn: 60 },
    );
    const otherAudience = jwt.sign(claims, { ...base, audience: 'someone-else', expiresIn: 60 });
    const noExpiry = jwt.sign(claims, base);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    for (const token of [tampered, expired, noExpiry, otherKey, otherAudience, none, 'garbage']) {
      const res = await request(t.http).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('rotates refresh tokens and revokes the whole family when a spent one is reused', async () => {
    const first = await login(t.http, 'ada@example.com', 'correct horse battery');
    const second = await request(t.http)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.refreshToken })
      .expect(200);
    const newest = second.body.data.refreshToken as string;
    expect(newest).not.toBe(first.refreshToken);
    await request(t.http)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${second.body.data.accessToken}`)
      .expect(200);

    const reuse = await request(t.http)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.refreshToken })
      .expect(401);
    expect(reuse.body.error.code).toBe('UNAUTHENTICATED');
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: newest }).expect(401);

    await t.chainAudit();
    const [entry] = await t.dataSource.query(`SELECT outcome FROM audit_logs WHERE action = 'auth.refresh_reuse'`);
    expect(entry.outcome).toBe('denied');
    const stored = await t.dataSource.query(`SELECT token_hash FROM refresh_tokens`);
    expect(JSON.stringify(stored)).not.toContain(first.refreshToken);
  });

  it('logout revokes the refresh token', async () => {
    const user = await login(t.http, 'ada@example.com', 'correct horse battery');
    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
  });

  it('deactivation and role changes take effect on the very next request', async () => {
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const op = await createUser(t, 'operator');
    await request(t.http)
      .get('/api/v1/api-keys')
      .set(...bearer(op))
      .expect(200);
    await updateUser(t, admin, op.id, { role: 'viewer' });
    await request(t.http)
      .get('/api/v1/api-keys')
      .set(...bearer(op))
      .expect(401);
    const again = await login(t.http, op.email, op.password);
    await request(t.http)
      .get('/api/v1/api-keys')
      .set(...bearer(again))
      .expect(403);
    await updateUser(t, admin, op.id, { isActive: false });
    await request(t.http)
      .get('/api/v1/auth/me')
      .set(...bearer(again))
      .expect(401);
    await request(t.http).post('/api/v1/auth/login').send({ email: op.email, password: op.password }).expect(401);
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: again.refreshToken }).expect(401);
  });

  it('enrols TOTP, then requires it at login, and disables it with a recovery code', async () => {
    const user = await createUser(t, 'viewer');
    const setup = await request(t.http)
      .post('/api/v1/auth/mfa/setup')
      .set(...bearer(user))
      .expect(200);
    expect(setup.body.data.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setup.body.data.secret) });
    const bad = await request(t.http)
      .post('/api/v1/auth/mfa/enable')
      .set(...bearer(user))
      .send({ code: '000000' === totp.generate() ? '111111' : '000000' });
    expect(bad.status).toBe(401);
    const enabled = await request(t.http)
      .post('/api/v1/auth/mfa/enable')
      .set(...bearer(user))
      .send({ code: totp.generate() })
      .expect(200);

    const missing = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(401);
    expect(missing.body.error.code).toBe('MFA_REQUIRED');
    const wrong = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password, totp: '123456' === totp.generate() ? '654321' : '123456' });
    expect(wrong.body.error.code).toBe('MFA_REQUIRED');
    // Each code works once: the next step's code signs in (it is within the accepted clock drift).
    const ok = await login(t.http, user.email, user.password, totp.generate({ timestamp: Date.now() + 30_000 }));
    const [row] = await t.dataSource.query(`SELECT mfa_secret FROM users WHERE id = $1`, [user.id]);
    expect(row.mfa_secret).not.toContain(setup.body.data.secret);

    await request(t.http)
      .post('/api/v1/auth/mfa/disable')
      .set(...bearer(ok))
      .send({ recoveryCode: enabled.body.data.recoveryCodes[0] })
      .expect(200);
    await login(t.http, user.email, user.password);
  });
});
