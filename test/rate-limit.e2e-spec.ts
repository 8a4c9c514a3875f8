import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import request from 'supertest';
import { ADMIN, bearer, login } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

describe('rate limits in Redis, shared by every API instance', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ env: { RATE_LIMIT_LOGIN_PER_MIN: '5', RATE_LIMIT_PER_MIN: '8', TRUST_PROXY: 'true' } });
    b = await createTestApp({ shared: a.env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const attempt = (t: TestApp, ip: string) =>
    request(t.http)
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: 'x@y.z', password: 'wrong-password' });

  it('allows 5 logins a minute per IP, then answers 429 with Retry-After in the envelope', async () => {
    for (let i = 0; i < 5; i += 1) {
      const res = await attempt(a, '203.0.113.7');
      expect(res.status).toBe(401);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    }
    const limited = await attempt(a, '203.0.113.7');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.status).toBe('error');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another client address has its own budget.
    expect((await attempt(a, '203.0.113.8')).status).toBe(401);
  });

  it('counts requests refused before their route (a body that is not JSON, of another type) like any other', async () => {
    const ip = '203.0.113.90';
    const refused = (i: number) =>
      i % 2 === 0
        ? request(a.http).post('/api/v1/auth/register').set('X-Forwarded-For', ip).type('json').send('{"email":')
        : request(a.http).post('/api/v1/auth/register').set('X-Forwarded-For', ip).type('text').send('plain text');
    for (let i = 0; i < 8; i += 1) {
      const res = await refused(i);
      expect(res.status).toBe(i % 2 === 0 ? 400 : 415);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(7 - i));
    }
    const limited = await refused(8);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The same budget as the address's other requests.
    expect((await request(a.http).get('/api/v1/auth/me').set('X-Forwarded-For', ip)).status).toBe(429);
  });

  it('counts requests to two instances against one budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt(i % 2 === 0 ? a : b, '198.51.100.1')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('counts a burst across both instances exactly, each request with its own remaining budget', async () => {
    const burst = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        request(i % 2 === 0 ? a.http : b.http)
          .get('/api/v1/auth/me')
          .set('X-Forwarded-For', '192.0.2.44'),
      ),
    );
    const allowed = burst.filter((res) => res.status === 401);
    const limited = burst.filter((res) => res.status === 429);
    expect(allowed).toHaveLength(8);
    expect(limited).toHaveLength(6);
    const remaining = allowed.map((res) => Number(res.headers['x-ratelimit-remaining'])).sort((x, y) => x - y);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const res of limited) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers).toMatchObject({
        'x-ratelimit-limit': '8',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': res.headers['retry-after'],
      });
    }
    // The block holds: the next request is refused too.
    expect((await request(a.http).get('/api/v1/auth/me').set('X-Forwarded-For', '192.0.2.44')).status).toBe(429);
  });

  it('counts hits that arrive together in one go, exactly as one after another', async () => {
    const storage = a.app.get<ThrottlerStorage>(getStorageToken(), { strict: false });
    const hit = (key: string) => storage.increment(key, 60_000, 8, 30_000, 'default');
    const [burst, other] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => hit('test:burst'))),
      Promise.all(Array.from({ length: 3 }, () => hit('test:other'))),
    ]);
    expect(burst.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(burst.map((r) => r.isBlocked)).toEqual([...Array(8).fill(false), ...Array(4).fill(true)]);
    for (const r of burst.slice(8)) expect(r.timeToBlockExpire).toBe(30);
    expect(other.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    const later = await hit('test:burst');
    expect(later).toMatchObject({ totalHits: 13, isBlocked: true });
    expect(later.timeToBlockExpire).toBeLessThanOrEqual(30);
  });

  it('limits the API per client and leaves health probes alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1) statuses.push((await request(a.http).get('/api/v1/auth/me')).status);
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses[8]).toBe(429);
    for (let i = 0; i < 12; i += 1) await request(a.http).get('/health/live').expect(200);
  });

  describe('API keys', () => {
    let key: string;
    const me = (ip: string, apiKey: string) =>
      request(a.http).get('/api/v1/auth/me').set('X-Forwarded-For', ip).set('X-API-Key', apiKey);
    const remaining = (res: request.Response) => Number(res.headers['x-ratelimit-remaining']);
    const letters = (n: number) =>
      Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)]).join('');

    beforeAll(async () => {
      const admin = await login(a.http, ADMIN.email, ADMIN.password);
      const created = await request(a.http)
        .post('/api/v1/api-keys')
        .set(...bearer(admin))
        .send({ name: 'limits', scopes: ['apikeys:manage'] })
        .expect(201);
      key = created.body.data.key;
    });

    it('counts made-up keys against the client address, however often their prefix changes', async () => {
      const results: Array<[number, number]> = [];
      for (let i = 0; i < 9; i += 1) {
        const res = await me('192.0.2.60', `ymk_${letters(12)}_x`);
        results.push([res.status, remaining(res)]);
      }
      expect(results.slice(0, 8)).toEqual([7, 6, 5, 4, 3, 2, 1, 0].map((n) => [401, n]));
      expect(results[8][0]).toBe(429);
    });

    it("does not spend a real key's budget on its prefix with a wrong secret", async () => {
      const wrong = `${key.slice(0, key.lastIndexOf('_') + 1)}${'A'.repeat(43)}`;
      expect(wrong).not.toBe(key);
      const statuses: number[] = [];
      for (let i = 0; i < 9; i += 1) statuses.push((await me('192.0.2.61', wrong)).status);
      expect(statuses).toEqual([...Array(8).fill(401), 429]);
      // The key's own budget is untouched, and follows the key from one address to another.
      const first = await me('192.0.2.62', key).expect(200);
      expect(remaining(first)).toBe(7);
      const second = await me('192.0.2.63', key).expect(200);
      expect(remaining(second)).toBe(6);
      // The wrong secrets were counted against the address that sent them.
      expect((await me('192.0.2.61', `ymk_${letters(12)}_x`)).status).toBe(429);
    });
  });
});
