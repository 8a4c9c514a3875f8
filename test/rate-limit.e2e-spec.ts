import request from 'supertest';
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

  it('counts requests to two instances against one budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt(i % 2 === 0 ? a : b, '198.51.100.1')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('limits the API per client and leaves health probes alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1) statuses.push((await request(a.http).get('/api/v1/auth/me')).status);
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses[8]).toBe(429);
    for (let i = 0; i < 12; i += 1) await request(a.http).get('/health/live').expect(200);
  });
});
