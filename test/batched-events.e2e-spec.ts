import type { Socket } from 'socket.io-client';
import { type TaskEvent, EventBus } from '../src/events/event-bus';
import { EventsGateway } from '../src/events/events.gateway';
import { createAgent } from './factories/tasks';
import { ADMIN, createUser, login, type TestUser } from './factories/users';
import {
  connectEvents,
  inOrder,
  key,
  listeningApp,
  publishEvents,
  stopReading,
  submitBatch,
  type Update,
} from './utils/live-socket';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

jest.setTimeout(120_000);

/** What a socket received: each `tasks.updated` array as it came, and any `task.updated` event. */
interface Received {
  socket: Socket;
  batches: Update[][];
  single: Update[];
  /** The batches' events, in order. */
  readonly events: Update[];
}

function receiver(socket: Socket): Received {
  const got: Received = {
    socket,
    batches: [],
    single: [],
    get events() {
      return this.batches.flat();
    },
  };
  socket.on('tasks.updated', (events: Update[]) => got.batches.push(events));
  socket.on('task.updated', (event: Update) => got.single.push(event));
  return got;
}

describe('batched agent subscriptions (tasks.updated)', () => {
  let t: TestApp;
  let url: string;
  let admin: TestUser;
  let op: TestUser;
  const sockets: Socket[] = [];

  /** A socket of `user` that sent `subscribe` with `body`, and the reply. */
  async function subscribed(
    user: TestUser,
    body: Record<string, unknown>,
    transports?: ('websocket' | 'polling')[],
  ): Promise<Received> {
    const socket = await connectEvents(url, user.accessToken, transports);
    sockets.push(socket);
    const got = receiver(socket);
    expect(await socket.emitWithAck('subscribe', body)).toMatchObject({ ok: true });
    return got;
  }

  beforeAll(async () => {
    // A stalled client is let go after 256 KB behind (2 MB at once); a batch holds 500 events at most.
    ({ t, url } = await listeningApp({ EVENTS_CLIENT_MAX_PENDING: '256kb' }));
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  it('sends every event of the agent once, in order, in arrays; a non-admin gets their own tasks only', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator', concurrency: 50 });
    const batched = await subscribed(admin, { agentId: agent.id, batch: true });
    const opBatched = await subscribed(op, { agentId: agent.id, batch: true });
    const single = await subscribed(admin, { agentId: agent.id, batch: false });
    // Arrays leave by one frame written straight to an idle WebSocket, or through Engine.IO otherwise: over
    // HTTP long-polling, and while a connection starts on polling and upgrades, they must come all the same.
    const polled = await subscribed(admin, { agentId: agent.id, batch: true }, ['polling']);
    const upgrading = await subscribed(admin, { agentId: agent.id, batch: true }, ['polling', 'websocket']);
    expect(await batched.socket.emitWithAck('subscribe', { agentId: agent.id, batch: true })).toEqual({
      ok: true,
      room: `agent:${agent.id}:all:batch`,
    });
    expect(await opBatched.socket.emitWithAck('subscribe', { agentId: agent.id, batch: true })).toEqual({
      ok: true,
      room: `agent:${agent.id}:user:${op.id}:batch`,
    });

    const mine = await submitBatch(t, admin, agent.id, 40);
    const ops = await submitBatch(t, op, agent.id, 10);
    const all = [...mine, ...ops];
    const finished = (events: Update[], ids: string[]): boolean =>
      ids.every((id) => events.some((e) => e.taskId === id && e.status === 'succeeded'));
    await waitFor(
      async () =>
        [batched, polled, upgrading].every((got) => finished(got.events, all)) &&
        finished(opBatched.events, ops) &&
        finished(single.single, all),
      60_000,
    );

    // The batched subscriber: the same events as the per-event one, in the same order, each once.
    expect(batched.single).toEqual([]);
    expect(batched.events).toHaveLength(all.length * 3);
    expect(inOrder(batched.events)).toBe(true);
    expect(batched.events.map(key)).toEqual(single.single.map(key));
    for (const got of [polled, upgrading]) expect(got.events.map(key)).toEqual(batched.events.map(key));
    expect(upgrading.socket.io.engine.transport.name).toBe('websocket');
    expect(batched.batches.every((b) => Array.isArray(b) && b.length > 0)).toBe(true);
    // The per-event subscriber (the default) gets no arrays.
    expect(single.batches).toEqual([]);
    // An operator's batched room carries their own tasks only.
    expect(opBatched.single).toEqual([]);
    expect(new Set(opBatched.events.map((e) => e.taskId))).toEqual(new Set(ops));
    expect(opBatched.events).toHaveLength(ops.length * 3);
    expect(inOrder(opBatched.events)).toBe(true);
  });

  it('stops sending arrays after unsubscribe with batch, and keeps the per-event room it also joined', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator', concurrency: 50 });
    const left = await subscribed(admin, { agentId: agent.id, batch: true });
    expect(await left.socket.emitWithAck('subscribe', { agentId: agent.id })).toMatchObject({ ok: true });
    expect(await left.socket.emitWithAck('unsubscribe', { agentId: agent.id, batch: true })).toEqual({
      ok: true,
      room: `agent:${agent.id}:all:batch`,
    });
    const kept = await subscribed(admin, { agentId: agent.id, batch: true });

    const ids = await submitBatch(t, admin, agent.id, 20);
    // Both sockets' events leave in the same order: once the other has the last arrays, this one would have too.
    await waitFor(async () => kept.events.length === ids.length * 3 && left.single.length === ids.length * 3, 60_000);
    expect(left.batches).toEqual([]);
    expect(inOrder(kept.events)).toBe(true);
  });

  it('refuses a batch that is not a boolean, or that names a task or a run', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const socket = await connectEvents(url, admin.accessToken);
    sockets.push(socket);
    const refused = { ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) };
    for (const batch of ['yes', 1, null, {}, []])
      for (const message of ['subscribe', 'unsubscribe'])
        expect(await socket.emitWithAck(message, { agentId: agent.id, batch })).toEqual(refused);
    const [taskId, runId] = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    expect(await socket.emitWithAck('subscribe', { taskId, batch: true })).toEqual(refused);
    expect(await socket.emitWithAck('subscribe', { runId, batch: true })).toEqual(refused);
    // `batch: false` is the default, for any subject.
    expect(await socket.emitWithAck('unsubscribe', { taskId, batch: false })).toEqual({
      ok: true,
      room: `task:${taskId}`,
    });
  });

  it('lets go of a batched client that stops reading, and keeps serving the others', async () => {
    const agentId = (await createAgent(t, admin, { type: 'calculator' })).id;
    const gateway = t.app.get(EventsGateway);
    const bus = t.app.get(EventBus);
    const reader = await subscribed(admin, { agentId, batch: true });
    const stalled = await subscribed(admin, { agentId, batch: true });
    const before = gateway.connections;
    const stalledTcp = stopReading(stalled.socket);

    // 16 MB of events, far more than the kernel holds for a client that does not read.
    const count = 16_000;
    await publishEvents(
      bus,
      { agentId, createdBy: admin.id, count, progressMessage: 'x'.repeat(1024), burst: 50 },
      // Within 200 events (about 240 kB, under the limit) of what was published: a window's arrays still gather.
      async (published) => {
        await waitFor(async () => reader.events.length >= published - 200, 30_000, 5);
      },
    );

    await waitFor(async () => gateway.connections === before - 1, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}: sockets ${gateway.connections} of ${before}, read ${reader.events.length}`);
    });
    stalledTcp.destroy();
    await waitFor(async () => reader.events.length === count, 30_000);
    expect(reader.events.map((e) => (e as unknown as TaskEvent).progress)).toEqual([...Array(count).keys()]);
    expect(Math.max(...reader.batches.map((b) => b.length))).toBeLessThanOrEqual(500);
  });
});
