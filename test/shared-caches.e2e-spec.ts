import request from 'supertest';
import { ADMIN, bearer, createUser, login, type TestUser, updateUser } from './factories/users';
import { createAgent } from './factories/tasks';
import { createTestApp, TestEnv, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * Two API instances on one database and Redis. Each caches who is calling, whether their login still holds and
 * which agent a task is for; a change made through one instance must reach the other at once.
 */
describe('caches shared by API instances', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    a = await createTestApp();
    const { config } = a.env;
    b = await createTestApp({
      shared: new TestEnv({
        APP_ROLE: 'api',
        DATABASE_URL: config.database.url,
        REDIS_PREFIX: config.redis.prefix,
        JWT_SECRET: config.auth.jwtSecret,
        SECRETS_KEY: config.secretsKey!.toString('hex'),
      }),
    });
    admin = await login(a.http, ADMIN.email, ADMIN.password);
    // Two applications to boot: more than one hook's default allows on a busy machine.
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('refuses a deactivated user on the other instance, whose cache knew them as active', async () => {
    const op = await createUser(a, 'operator');
    await request(b.http)
      .get('/api/v1/tasks')
      .set(...bearer(op))
      .expect(200);
    await updateUser(a, admin, op.id, { isActive: false });
    await request(a.http)
      .get('/api/v1/tasks')
      .set(...bearer(op))
      .expect(401);
    // Pub/sub delivery takes a moment; far less than the cache's few seconds of life.
    await waitFor(
      async () =>
        (
          await request(b.http)
            .get('/api/v1/tasks')
            .set(...bearer(op))
        ).status === 401,
      1000,
      10,
    );
  });

  it('refuses on the other instance, whose cache knew the login as live, an access token signed out on this one', async () => {
    const user = await createUser(a, 'viewer');
    await request(b.http)
      .get('/api/v1/auth/me')
      .set(...bearer(user))
      .expect(200);
    await request(a.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await request(a.http)
      .get('/api/v1/auth/me')
      .set(...bearer(user))
      .expect(401);
    await waitFor(
      async () =>
        (
          await request(b.http)
            .get('/api/v1/auth/me')
            .set(...bearer(user))
        ).status === 401,
      1000,
      10,
    );
  });

  it('refuses tasks on the other instance for an agent deleted on this one', async () => {
    const op = await createUser(a, 'operator');
    const agent = await createAgent(a, op, { type: 'calculator' });
    await request(b.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1 + 1' } })
      .expect(202);
    await request(a.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    await waitFor(
      async () =>
        (
          await request(b.http)
            .post('/api/v1/tasks')
            .set(...bearer(op))
            .send({ agentId: agent.id, input: { expression: '1 + 1' } })
        ).status === 409,
      1000,
      10,
    );
  });
});
