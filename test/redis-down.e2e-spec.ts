import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';
import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { sparePort } from './utils/spare-port';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** A Redis server this test owns, on a port of its own, that it can stop. */
class OwnRedis {
  private port = 0;
  private server?: ChildProcess;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await sparePort();
    this.server = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(async () => {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, 10_000);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null) return;
    server.kill('SIGKILL');
    await once(server, 'exit');
  }
}

describe('Redis down', () => {
  const redis = new OwnRedis();
  let env: TestEnv;
  let t: TestApp;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    await redis.start();
    // An API process: rate limits (every route's budget) and task submissions (the queue) need Redis.
    env = new TestEnv({ REDIS_URL: redis.url, APP_ROLE: 'api', REQUEST_TIMEOUT_MS: '20000' });
    await env.prepare();
    t = await createTestApp({ shared: env });
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await redis.stop();
    await env?.destroy().catch(() => undefined);
  }, 30_000);

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, never 500, to requests that need Redis', async () => {
    await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId, input: { expression: '1 + 1' } })
      .expect(202);
    expect((await request(t.http).get('/metrics').expect(200)).text).toMatch(/^queue_jobs\{/m);
    await redis.stop();
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
    for (const send of attempts) {
      const res = await send();
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers['retry-after']).toBe('5');
      expect(JSON.stringify(res.body)).not.toMatch(/ioredis|MaxRetries|Connection is closed|ECONNREFUSED/i);
    }
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
});
