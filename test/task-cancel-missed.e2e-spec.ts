import request from 'supertest';
import { createAgent, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { FreezableProxy } from './utils/freezable-proxy';
import { LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * A cancel is published once, to the workers listening then: one whose connection to Redis was down at that moment
 * never hears it. Once it is connected again, it finds the tasks it runs that ended meanwhile, and stops them.
 */
describe('a cancel sent while a worker was cut off from Redis', () => {
  const remote = new LoopbackServer();
  const redisProxy = new FreezableProxy('127.0.0.1', 6379);
  let apiEnv: TestEnv;
  let api: TestApp;
  let worker: TestApp;
  let op: TestUser;
  let remoteUrl: string;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    const proxyPort = await redisProxy.start();
    apiEnv = new TestEnv({ APP_ROLE: 'api', AGENT_ALLOW_PRIVATE_NETWORKS: 'true' });
    await apiEnv.prepare();
    api = await createTestApp({ shared: apiEnv });
    // The same database and keys, its Redis connections through the proxy: the only one that runs tasks.
    const workerEnv = new TestEnv({ ...apiEnv.vars, APP_ROLE: 'all', REDIS_URL: `redis://127.0.0.1:${proxyPort}` });
    worker = await createTestApp({ shared: workerEnv });
    op = await createUser(api, 'operator');
  }, 90_000);
  afterAll(async () => {
    redisProxy.thaw();
    await worker?.close();
    await api?.close();
    await apiEnv?.destroy();
    await redisProxy.stop();
    await remote.stop();
  }, 60_000);

  it("stops the attempt once the worker is back, instead of letting it run to the agent's timeout", async () => {
    let aborted = false;
    // The remote never answers (the agent's timeout is a minute): only the cancel can end the attempt.
    remote.handler = (_req, res) => {
      res.on('close', () => (aborted = !res.writableEnded));
    };
    const agent = await createAgent(api, op, { type: 'http', config: { url: `${remoteUrl}/slow` } });
    const task = await submitTask(api, op, { agentId: agent.id, input: {} });
    const status = async () =>
      (
        await request(api.http)
          .get(`/api/v1/tasks/${task.id}`)
          .set(...bearer(op))
      ).body.data.status as string;
    await waitFor(async () => (await status()) === 'running', 20_000);

    redisProxy.cut();
    const res = await request(api.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(op))
      .expect(200);
    expect(res.body.data.status).toBe('cancelled');
    // Published while the worker's subscription is down: no one hears it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(aborted).toBe(false);

    redisProxy.thaw();
    await waitFor(async () => aborted, 20_000);
    await waitFor(async () => {
      const [attempt] = await api.dataSource.query<{ status: string }[]>(
        `SELECT status FROM task_attempts WHERE task_id = $1 AND attempt = 1`,
        [task.id],
      );
      return attempt?.status === 'cancelled';
    }, 20_000);
    expect(await status()).toBe('cancelled');
  }, 90_000);
});
