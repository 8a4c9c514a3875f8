import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { REFUSALS_BEFORE_DISCONNECT } from '../src/events/live-limits';
import { createAgent, submitTask } from './factories/tasks';
import { ADMIN, createUser, login, type TestUser } from './factories/users';
import { connectEvents, listeningApp } from './utils/live-socket';
import type { TestApp } from './utils/test-app';

/** The default RATE_LIMIT_LIVE_PER_MIN, so these tests also show what the default allows. */
const BUDGET = 1000;

interface Reply {
  ok: boolean;
  room?: string;
  error?: { code: string; message: string; retryAfter?: number };
}

const codesOf = (replies: Reply[]): string[] => [...new Set(replies.map((r) => (r.ok ? 'ok' : r.error!.code)))];

describe('the live budget: Socket.IO connections and messages per caller, handshakes per address', () => {
  let t: TestApp;
  let url: string;
  let admin: TestUser;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp({ RATE_LIMIT_LIVE_PER_MIN: String(BUDGET), TRUST_PROXY: 'true' }));
    admin = await login(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  async function connect(user: TestUser): Promise<Socket> {
    const socket = await connectEvents(url, user.accessToken);
    sockets.push(socket);
    return socket;
  }

  const send = (socket: Socket, event: string, bodies: object[]): Promise<Reply[]> =>
    Promise.all(bodies.map((body) => socket.emitWithAck(event, body) as Promise<Reply>));

  const unknownTasks = (n: number) => Array.from({ length: n }, () => ({ taskId: randomUUID() }));

  it('refuses messages over the budget with RATE_LIMITED, without looking anything up, for that caller only', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '1 + 1' } });
    const socket = await connect(op);

    // The connection counted once: the rest of the budget goes to lookups of tasks that do not exist.
    const within = await send(socket, 'subscribe', unknownTasks(BUDGET - 1));
    expect(codesOf(within)).toEqual(['NOT_FOUND']);

    // Over it, nothing is looked up: an unknown task is not NOT_FOUND, and the caller's own task is not joined.
    const over = await send(socket, 'subscribe', [{ taskId: task.id }, ...unknownTasks(3), { agentId: agent.id }]);
    expect(codesOf(over)).toEqual(['RATE_LIMITED']);
    for (const { error } of over) {
      expect(error!.retryAfter).toBeGreaterThan(0);
      expect(error!.retryAfter).toBeLessThanOrEqual(60);
    }
    expect(codesOf(await send(socket, 'unsubscribe', [{ taskId: task.id }]))).toEqual(['RATE_LIMITED']);

    // A new connection of the same caller is refused too, in the shape of the other refusals.
    const refused = await connectEvents(url, op.accessToken).catch((err: Error & { data?: unknown }) => err);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe('RATE_LIMITED');
    expect((refused as Error & { data: { code: string; retryAfter: number } }).data).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });

    // Another caller has a budget of their own.
    const viewer = await createUser(t, 'viewer');
    const other = await connect(viewer);
    expect(codesOf(await send(other, 'subscribe', unknownTasks(5)))).toEqual(['NOT_FOUND']);

    // A socket that keeps sending while refused is disconnected.
    const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    for (let i = 0; i < REFUSALS_BEFORE_DISCONNECT; i += 1) socket.emit('subscribe', { taskId: task.id });
    expect(await gone).toBe('io server disconnect');
  });

  it("holds a console's busiest use: the task list's hundred agents, entered and left, and a reconnection", async () => {
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const task = { taskId: (await submitTask(t, admin, { agentId: agent.id, input: { expression: '2 + 2' } })).id };
    const others = await Promise.all(Array.from({ length: 99 }, () => createAgent(t, admin, { type: 'calculator' })));
    const agents = [agent, ...others].map(({ id }) => ({ agentId: id, batch: true }));
    let socket = await connect(admin);
    const replies: Reply[] = [];
    for (let visit = 0; visit < 3; visit += 1) {
      // The list follows every agent; a task's page follows the task instead.
      replies.push(...(await send(socket, 'subscribe', agents)));
      replies.push(...(await send(socket, 'unsubscribe', agents)));
      replies.push(...(await send(socket, 'subscribe', [task])), ...(await send(socket, 'unsubscribe', [task])));
    }
    socket.close();
    socket = await connect(admin);
    replies.push(...(await send(socket, 'subscribe', agents)));
    expect(codesOf(replies)).toEqual(['ok']);
  });

  it('counts new Engine.IO sessions per client address, before anyone is known', async () => {
    const handshake = (ip: string) =>
      request(url).get('/socket.io/').query({ EIO: '4', transport: 'polling' }).set('X-Forwarded-For', ip);
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET; i += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => handshake('203.0.113.50')));
      statuses.push(...batch.map((res) => res.status));
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
    const refused = await handshake('203.0.113.50');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({ message: 'RATE_LIMITED' });
    expect((await handshake('203.0.113.51')).status).toBe(200);
  });
});
