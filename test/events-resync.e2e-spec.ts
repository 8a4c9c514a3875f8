import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import { createAgent, submitTask } from './factories/tasks';
import { createUser, type TestUser } from './factories/users';
import { connectEvents } from './utils/live-socket';
import { OwnRedis } from './utils/own-redis';
import { openSse, type SseListener } from './utils/sse-listener';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * A change written while Redis was away had no event (none could be published, nor received): once Redis is
 * back, every live client is told to read again, and a task's stream reads the task itself, and ends if the
 * task did.
 */
describe('live events after Redis was away', () => {
  const redis = new OwnRedis();
  let t: TestApp;
  let url: string;
  let op: TestUser;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    await redis.start();
    // An API process only: the task stays queued until the test changes it.
    t = await createTestApp({ env: { REDIS_URL: redis.url, APP_ROLE: 'api' } });
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    op = await createUser(t, 'operator');
  }, 60_000);
  afterAll(async () => {
    for (const client of open) client.close();
    await t?.close().catch(() => undefined);
    await redis.stopEmpty();
  }, 30_000);

  it("ends a task's stream with the state written meanwhile, and tells sockets and agent streams to read again", async () => {
    const agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    const task = await submitTask(t, op, { agentId, input: { expression: '1 + 1' } });
    const taskStream: SseListener = await openSse(`${url}/api/v1/tasks/${task.id}/events`, op.accessToken);
    const agentStream: SseListener = await openSse(`${url}/api/v1/agents/${agentId}/events`, op.accessToken);
    const socket: Socket = await connectEvents(url, op.accessToken);
    open.push(taskStream, agentStream, socket);
    await socket.timeout(5000).emitWithAck('subscribe', { agentId });
    let resyncs = 0;
    socket.on('resync', () => (resyncs += 1));
    await waitFor(async () => taskStream.events.length === 1);

    await redis.stopEmpty();
    // Written while no event could be published: as a worker records an outcome during the outage.
    await t.dataSource.query(
      `UPDATE tasks SET status = 'succeeded', output = '{"result": 2}', finished_at = now(), updated_at = now()
        WHERE id = $1`,
      [task.id],
    );
    await redis.start();

    await waitFor(async () => taskStream.ended, 20_000);
    expect(taskStream.events.map((e) => [e.type, e.data.status])).toEqual([
      ['task', 'queued'],
      ['task', 'succeeded'],
    ]);
    await waitFor(async () => resyncs > 0 && agentStream.events.some((e) => e.type === 'resync'), 20_000);
    expect(resyncs).toBe(1);
  }, 90_000);
});
