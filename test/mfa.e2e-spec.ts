import * as OTPAuth from 'otpauth';
import request from 'supertest';
import { bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

const STEP_MS = 30_000;

describe('MFA: one-time codes are single-use, recovery codes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A user with MFA enabled by the code of the current step; returns the authenticator and recovery codes. */
  async function enrolled(): Promise<{ user: TestUser; totp: OTPAuth.TOTP; recoveryCodes: string[] }> {
    const user = await createUser(t, 'viewer');
    const setup = await request(t.http)
      .post('/api/v1/auth/mfa/setup')
      .set(...bearer(user))
      .expect(200);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setup.body.data.secret) });
    const enabled = await request(t.http)
      .post('/api/v1/auth/mfa/enable')
      .set(...bearer(user))
      .send({ code: totp.generate() })
      .expect(200);
    return { user, totp, recoveryCodes: enabled.body.data.recoveryCodes };
  }

  const loginWith = (user: TestUser, second: { totp?: string; recoveryCode?: string }) =>
    request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password, ...second });

  it('accepts a TOTP code once: the same code, or an earlier one, is refused afterwards', async () => {
    const { user, totp } = await enrolled();
    const enableCode = totp.generate();
    const reused = await loginWith(user, { totp: enableCode });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('MFA_REQUIRED');

    const next = totp.generate({ timestamp: Date.now() + STEP_MS });
    await loginWith(user, { totp: next }).expect(200);
    const again = await loginWith(user, { totp: next });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('MFA_REQUIRED');

    // Disabling is a TOTP check too: the code spent at login does not work there either.
    const disable = await request(t.http)
      .post('/api/v1/auth/mfa/disable')
      .set(...bearer(user))
      .send({ code: next });
    expect(disable.status).toBe(401);
    expect(disable.body.error.code).toBe('MFA_REQUIRED');
  });

  it('lets exactly one of two concurrent logins with the same code through', async () => {
    const { user, totp } = await enrolled();
    const code = totp.generate({ timestamp: Date.now() + STEP_MS });
    const results = await Promise.all([loginWith(user, { totp: code }), loginWith(user, { totp: code })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('disables MFA with a code of a later step than the one that enabled it', async () => {
    const { user, totp } = await enrolled();
    await request(t.http)
      .post('/api/v1/auth/mfa/disable')
      .set(...bearer(user))
      .send({ code: totp.generate({ timestamp: Date.now() + STEP_MS }) })
      .expect(200);
    await login(t.http, user.email, user.password);
  });

  it('issues recovery codes once, stores them hashed, and accepts each once instead of a TOTP code', async () => {
    const { user, recoveryCodes } = await enrolled();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const stored = await t.dataSource.query(`SELECT code_hash FROM mfa_recovery_codes WHERE user_id = $1`, [user.id]);
    expect(stored).toHaveLength(10);
    const everything = JSON.stringify(stored);
    for (const code of recoveryCodes) expect(everything).not.toContain(code.replace(/-/g, ''));

    const status = await request(t.http)
      .get('/api/v1/auth/mfa')
      .set(...bearer(user))
      .expect(200);
    expect(status.body.data).toEqual({ mfaEnabled: true, recoveryCodesRemaining: 10 });

    // Lower case and without dashes is the same code.
    const typed = recoveryCodes[0].toLowerCase().replace(/-/g, '');
    const first = await loginWith(user, { recoveryCode: typed }).expect(200);
    const spent = await loginWith(user, { recoveryCode: recoveryCodes[0] });
    expect(spent.status).toBe(401);
    expect(spent.body.error.code).toBe('MFA_REQUIRED');
    const concurrent = await Promise.all([
      loginWith(user, { recoveryCode: recoveryCodes[1] }),
      loginWith(user, { recoveryCode: recoveryCodes[1] }),
    ]);
    expect(concurrent.map((r) => r.status).sort()).toEqual([200, 401]);

    const after = await request(t.http)
      .get('/api/v1/auth/mfa')
      .set(...bearer(first.body.data))
      .expect(200);
    expect(after.body.data).toEqual({ mfaEnabled: true, recoveryCodesRemaining: 8 });

    await t.chainAudit();
    const used = await t.dataSource.query(
      `SELECT details::text AS d FROM audit_logs WHERE action = 'auth.mfa_recovery_code_used' AND resource_id = $1`,
      [user.id],
    );
    expect(used).toHaveLength(2);
    expect(JSON.parse(used[1].d)).toEqual(expect.objectContaining({ remaining: 8 }));
    const trail = await t.dataSource.query(`SELECT details::text AS d FROM audit_logs WHERE resource_id = $1`, [
      user.id,
    ]);
    const text = JSON.stringify(trail).toUpperCase().replace(/-/g, '');
    for (const code of recoveryCodes) expect(text).not.toContain(code.replace(/-/g, ''));
  });

  it('refuses a malformed recovery code, and both a TOTP and a recovery code at once', async () => {
    const { user, totp, recoveryCodes } = await enrolled();
    const malformed = await loginWith(user, { recoveryCode: 'not-a-code' }).expect(400);
    expect(malformed.body.error.details[0].field).toBe('/recoveryCode');
    const both = await loginWith(user, {
      totp: totp.generate({ timestamp: Date.now() + STEP_MS }),
      recoveryCode: recoveryCodes[0],
    }).expect(400);
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('replaces the recovery codes with a valid TOTP code; the old ones stop working', async () => {
    const { user, totp, recoveryCodes } = await enrolled();
    const refused = await request(t.http)
      .post('/api/v1/auth/mfa/recovery-codes')
      .set(...bearer(user))
      .send({ code: totp.generate() });
    expect(refused.status).toBe(401);
    const renewed = await request(t.http)
      .post('/api/v1/auth/mfa/recovery-codes')
      .set(...bearer(user))
      .send({ code: totp.generate({ timestamp: Date.now() + STEP_MS }) })
      .expect(200);
    const fresh = renewed.body.data.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => recoveryCodes.includes(c))).toEqual([]);
    expect((await loginWith(user, { recoveryCode: recoveryCodes[0] })).status).toBe(401);
    await loginWith(user, { recoveryCode: fresh[0] }).expect(200);
  });

  it('disables MFA with a recovery code (a lost authenticator), dropping the remaining codes', async () => {
    const { user, recoveryCodes } = await enrolled();
    const res = await request(t.http)
      .post('/api/v1/auth/mfa/disable')
      .set(...bearer(user))
      .send({ recoveryCode: recoveryCodes[3] })
      .expect(200);
    expect(res.body.data).toEqual({ mfaEnabled: false, recoveryCodesRemaining: 0 });
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM mfa_recovery_codes WHERE user_id = $1`, [
      user.id,
    ]);
    expect(n).toBe(0);
    await login(t.http, user.email, user.password);
  });

  it('is managed by a signed-in user only: an API key gets 403 on every MFA route, and nothing changes', async () => {
    const user = await createUser(t, 'operator');
    const key = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(user))
        .send({ name: 'mfa', scopes: ['tasks:read'] })
        .expect(201)
    ).body.data.key as string;
    const routes: Array<['get' | 'post', string, object?]> = [
      ['get', '/api/v1/auth/mfa'],
      ['post', '/api/v1/auth/mfa/setup'],
      ['post', '/api/v1/auth/mfa/enable', { code: '123456' }],
      ['post', '/api/v1/auth/mfa/disable', { code: '123456' }],
      ['post', '/api/v1/auth/mfa/recovery-codes', { code: '123456' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await request(t.http)[method](path).set('X-API-Key', key).send(body);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body.error).toMatchObject({
        code: 'FORBIDDEN',
        message: 'Managing MFA takes a signed-in user, not an API key',
      });
    }
    const [row] = await t.dataSource.query(`SELECT mfa_secret FROM users WHERE id = $1`, [user.id]);
    expect(row.mfa_secret).toBeNull();
  });

  it('refuses an account more than 10 one-time codes in 15 minutes, right ones too, with 429 and Retry-After', async () => {
    const { user, totp } = await enrolled();
    const other = await enrolled();
    const wrong = (n: number) => String((Number(totp.generate()) + 500_000 + n) % 1_000_000).padStart(6, '0');
    // The code that enabled MFA was the first try; nine more wrong ones fill the budget.
    for (let i = 1; i <= 9; i += 1) {
      const res = await request(t.http)
        .post('/api/v1/auth/mfa/recovery-codes')
        .set(...bearer(user))
        .send({ code: wrong(i) });
      expect({ i, status: res.status }).toEqual({ i, status: 401 });
    }
    const next = totp.generate({ timestamp: Date.now() + STEP_MS });
    for (const res of [
      await request(t.http)
        .post('/api/v1/auth/mfa/recovery-codes')
        .set(...bearer(user))
        .send({ code: next }),
      await loginWith(user, { totp: next }),
    ]) {
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    }
    // Another account has a budget of its own.
    await loginWith(other.user, { totp: other.totp.generate({ timestamp: Date.now() + STEP_MS }) }).expect(200);
  });
});
