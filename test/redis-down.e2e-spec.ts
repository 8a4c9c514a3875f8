import request, { type Response } from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { OwnRedis } from './utils/own-redis';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * How long these clients wait for an answer. Without a limit of its own, a request would wait for ioredis to give
 * up: after its 4th reconnection attempt, attempts that are up to 2 s apart, or never while Redis hangs.
 */
const CLIENT_TIMEOUT_MS = 3000;

function expectUnavailable(res: Response): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(res.headers['retry-after']).toBe('5');
  expect(JSON.stringify(res.body)).not.toMatch(/ioredis|MaxRetries|Connection is closed|ECONNREFUSED|timed out/i);
}

describe('Redis down', () => {
  const redis = new OwnRedis();
  let t: TestApp;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    await redis.start();
    // An API process: rate limits (every route's budget) and task submissions (the queue) need Redis.
    t = await createTestApp({ env: { REDIS_URL: redis.url, APP_ROLE: 'api', REQUEST_TIMEOUT_MS: '20000' } });
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await redis.stopEmpty();
  }, 30_000);

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, never 500, to requests that need Redis', async () => {
    await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId, input: { expression: '1 + 1' } })
      .expect(202);
    expect((await request(t.http).get('/metrics').expect(200)).text).toMatch(/^queue_jobs\{/m);
    await redis.stopEmpty();
    const attempts = [
      () =>
        request(t.http)
          .post('/api/v1/tasks')
          .set(...bearer(op))
          .send({ agentId, input: { expression: '2 + 2' } }),
      () =>
        request(t.http)
          .get('/api/v1/tasks')
          .set(...bearer(op)),
      () =>
        request(t.http)
          .post('/api/v1/auth/login')
          .send({ email: 'nobody@test.local', password: 'x'.repeat(12) }),
    ];
    for (const send of attempts) expectUnavailable(await send().timeout(CLIENT_TIMEOUT_MS));
    // Metrics answer without the queue's counts, which only Redis knows (REQUEST_TIMEOUT_MS would give 504).
    const metrics = await request(t.http).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total');
    expect(metrics.text).not.toMatch(/^queue_jobs\{/m);
    await redis.start();
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get('/api/v1/tasks')
            .set(...bearer(op))
        ).status === 200,
      20_000,
      250,
    );
  }, 90_000);

  it('answers at once however long Redis stays away, and within a second when it hangs, then recovers', async () => {
    const listTasks = () =>
      request(t.http)
        .get('/api/v1/tasks')
        .set(...bearer(op))
        .timeout(CLIENT_TIMEOUT_MS);
    const recovered = () => waitFor(async () => (await listTasks()).status === 200, 20_000, 250);
    await recovered();
    await redis.stopEmpty();
    // One after the other, as the reconnection attempts grow apart: each answered, none left to the client's limit.
    for (let i = 0; i < 10; i += 1) expectUnavailable(await listTasks());
    await redis.start();
    await recovered();
    // Frozen: the connections stay open and nothing answers, so nothing tells the client Redis is gone.
    redis.pause();
    try {
      expectUnavailable(await listTasks());
      expectUnavailable(
        await request(t.http)
          .post('/api/v1/tasks')
          .set(...bearer(op))
          .send({ agentId, input: { expression: '3 + 3' } })
          .timeout(CLIENT_TIMEOUT_MS),
      );
    } finally {
      redis.resume();
    }
    await recovered();
  }, 90_000);
});
