import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { json, LoopbackServer } from './utils/loopback-server';
import { OwnPostgres } from './utils/own-postgres';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('Postgres briefly down', () => {
  const pg = new OwnPostgres();
  const remote = new LoopbackServer();
  let remoteUrl: string;
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    await pg.init();
    pg.start();
    remoteUrl = await remote.start();
    // Writes along a task's way give up after 2 s here, so an outage of a few seconds outlasts them.
    env = new TestEnv({
      DATABASE_URL: `${pg.serverUrl}/ymera_pgdown`,
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
      DB_RETRY_MS: '2000',
    });
    await env.prepare();
    t = await createTestApp({ shared: env });
  }, 60_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    // The app was made on a shared environment, so its database and Redis keys are removed here.
    await env?.destroy().catch(() => undefined);
    await remote.stop();
    pg.remove();
  });

  it('the API answers 503 meanwhile, the worker keeps its result and writes it once Postgres is back', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/work` } });
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { survived: true }), 1500);
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });
    await waitFor(async () => remote.requests.length === 1, 15_000);

    pg.stop();
    const during = await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(op));
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await request(t.http).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.database.status).toBe('down');
    // Anyone may read it: the reason, not the server's address (`connect ECONNREFUSED 127.0.0.1:<port>`).
    expect(JSON.stringify(ready.body)).not.toContain('127.0.0.1');
    // The remote answers while the database is away; the worker holds on to the result.
    await new Promise((r) => setTimeout(r, 2500));
    pg.start();

    const done = await settled(t, op, task.id, 30_000);
    expect(done).toEqual(expect.objectContaining({ status: 'succeeded', output: { survived: true }, attempts: 1 }));
    expect(remote.requests.length).toBe(1);
    await request(t.http).get('/health/ready').expect(200);
  }, 90_000);

  it('an outcome is held through an outage longer than the write retries: the agent is called once', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/slow` } });
    const before = remote.requests.length;
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { held: true }), 2000);
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });
    await waitFor(async () => remote.requests.length === before + 1, 15_000);

    pg.stop();
    // The agent answers 2 s into an outage four times DB_RETRY_MS long.
    await new Promise((r) => setTimeout(r, 8000));
    pg.start();

    const done = await settled(t, op, task.id, 30_000);
    expect(done).toEqual(expect.objectContaining({ status: 'succeeded', output: { held: true }, attempts: 1 }));
    const attempts = await request(t.http)
      .get(`/api/v1/tasks/${task.id}/attempts`)
      .set(...bearer(op))
      .expect(200);
    expect(attempts.body.data).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded' })]);
    // Time for a second call to arrive, were the job run again.
    await new Promise((r) => setTimeout(r, 3000));
    expect(remote.requests.length).toBe(before + 1);
  }, 90_000);
});
