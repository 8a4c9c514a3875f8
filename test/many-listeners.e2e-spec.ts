import { connect } from 'node:net';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { AgentEventsController } from '../src/events/agent-events.controller';
import { type TaskEvent, EventBus } from '../src/events/event-bus';
import { EventsGateway } from '../src/events/events.gateway';
import { TaskEventFanout } from '../src/events/task-event-fanout';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { openSse, type SseListener } from './utils/sse-listener';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
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

const SOCKETS = Number(process.env.TEST_LISTENER_SOCKETS ?? 150);
const STREAMS = Number(process.env.TEST_LISTENER_STREAMS ?? 50);
jest.setTimeout(120_000);

/** A socket subscribed to an agent, collecting its `task.updated` events. */
async function follower(url: string, user: TestUser, agentId: string): Promise<{ socket: Socket; got: Update[] }> {
  const socket = await connectEvents(url, user.accessToken);
  const got: Update[] = [];
  socket.on('task.updated', (e: Update) => got.push(e));
  const reply = (await socket.emitWithAck('subscribe', { agentId })) as { ok: boolean };
  if (!reply.ok) throw new Error(`subscribe: ${JSON.stringify(reply)}`);
  return { socket, got };
}

describe('many live listeners (Socket.IO and SSE) on one API', () => {
  let t: TestApp;
  let url: string;
  let admin: TestUser;
  let op: TestUser;
  const sockets: Socket[] = [];
  const streams: SseListener[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp({ EVENTS_CLIENT_MAX_PENDING: '64kb' }));
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const stream of streams) stream.close();
    await t?.close();
  });

  it('gives each client every event it subscribed to, in order, and none it may not see', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator', concurrency: 50 });
    const other = await createAgent(t, admin, { type: 'calculator' });
    const admins = await Promise.all(Array.from({ length: SOCKETS }, () => follower(url, admin, agent.id)));
    const opSocket = await follower(url, op, agent.id);
    const otherSocket = await follower(url, admin, other.id);
    sockets.push(...[...admins, opSocket, otherSocket].map((f) => f.socket));
    const sse = await Promise.all(
      Array.from({ length: STREAMS }, () => openSse(`${url}/api/v1/agents/${agent.id}/events`, admin.accessToken)),
    );
    const opSse = await openSse(`${url}/api/v1/agents/${agent.id}/events`, op.accessToken);
    streams.push(...sse, opSse);

    const mine = await submitBatch(t, admin, agent.id, 30);
    const ops = await submitBatch(t, op, agent.id, 5);
    const elsewhere = await submitBatch(t, admin, other.id, 5);
    const all = [...mine, ...ops];
    const finished = (events: Update[], ids: string[]): boolean =>
      ids.every((id) => events.some((e) => e.taskId === id && e.status === 'succeeded'));
    const sseUpdates = (s: SseListener): Update[] => s.events.map((e) => e.data as unknown as Update);
    await waitFor(
      async () =>
        admins.every((f) => finished(f.got, all)) &&
        sse.every((s) => finished(sseUpdates(s), all)) &&
        finished(opSocket.got, ops) &&
        finished(sseUpdates(opSse), ops) &&
        finished(otherSocket.got, elsewhere),
      60_000,
    ).catch((err: Error) => {
      const counts = (lists: Update[][]): string => [...new Set(lists.map((l) => l.length))].join(',');
      throw new Error(
        `${err.message}; events per socket ${counts(admins.map((f) => f.got))}, per stream ` +
          `${counts(sse.map(sseUpdates))}, operator ${opSocket.got.length}/${opSse.events.length}, other ${otherSocket.got.length}`,
      );
    });

    // Everyone in the room got the same events, in the same order: each task's queued, running, succeeded.
    const expected = admins[0].got.map(key);
    expect(new Set(expected.map((k) => k.split(':')[0]))).toEqual(new Set(all));
    expect(expected).toHaveLength(all.length * 3);
    expect(inOrder(admins[0].got)).toBe(true);
    for (const f of admins) expect(f.got.map(key)).toEqual(expected);
    for (const s of sse) {
      expect(s.events.every((e) => e.type === 'task')).toBe(true);
      expect(sseUpdates(s).map(key)).toEqual(expected);
    }
    // An operator's agent room and stream carry their own tasks only; another agent's room none of these.
    for (const events of [opSocket.got, sseUpdates(opSse)]) {
      expect(new Set(events.map((e) => e.taskId))).toEqual(new Set(ops));
      expect(inOrder(events)).toBe(true);
    }
    expect(new Set(otherSocket.got.map((e) => e.taskId))).toEqual(new Set(elsewhere));
  });

  it("gives each task's stream its own task's events only, while another task's go by", async () => {
    const agent = await createAgent(t, admin, { type: 'calculator', concurrency: 2 });
    const setStatus = (status: 'active' | 'paused') =>
      request(t.http)
        .patch(`/api/v1/agents/${agent.id}`)
        .set(...bearer(admin))
        .send({ status })
        .expect(200);
    await setStatus('paused');
    const ids = await submitBatch(t, admin, agent.id, 2);
    const fanout = t.app.get(TaskEventFanout);
    const listenersBefore = fanout.size;
    const taskStreams = await Promise.all(
      ids.map((id) => openSse(`${url}/api/v1/tasks/${id}/events`, admin.accessToken)),
    );
    streams.push(...taskStreams);
    // Each stream starts with its task as it is (queued): from then on nothing is missed.
    await waitFor(async () => taskStreams.every((s) => s.events.length > 0), 10_000);
    expect(fanout.size).toBe(listenersBefore + 2);
    await setStatus('active');
    await waitFor(async () => taskStreams.every((s) => s.ended), 30_000);

    taskStreams.forEach((stream, i) => {
      expect(stream.events.every((e) => e.type === 'task' && e.data.taskId === ids[i])).toBe(true);
      const statuses = stream.events.map((e) => e.data.status);
      expect(statuses[0]).toBe('queued');
      expect(statuses).toContain('running');
      expect(statuses.at(-1)).toBe('succeeded');
    });
    // Ended with their tasks, the streams have left their rooms.
    await waitFor(async () => fanout.size === listenersBefore, 5_000);
  });

  it('sends the events of a batch bigger than a queueing chunk in order, written together yet each its own', async () => {
    // More tasks than are queued at once: the first run while the last are being queued, and a stream gets many
    // events in one turn.
    const agent = await createAgent(t, admin, { type: 'calculator', concurrency: 50 });
    const socket = await follower(url, admin, agent.id);
    const stream = await openSse(`${url}/api/v1/agents/${agent.id}/events`, admin.accessToken);
    sockets.push(socket.socket);
    streams.push(stream);

    const ids = await submitBatch(t, admin, agent.id, 350);
    const sseUpdates = (): Update[] => stream.events.map((e) => e.data as unknown as Update);
    await waitFor(async () => socket.got.length === ids.length * 3 && stream.events.length === ids.length * 3, 60_000);

    expect(new Set(socket.got.map((e) => e.taskId))).toEqual(new Set(ids));
    expect(inOrder(socket.got)).toBe(true);
    // The stream's events, many of them written together in one turn, are separate `task` events all the same.
    expect(stream.events.every((e) => e.type === 'task')).toBe(true);
    expect(sseUpdates().map(key)).toEqual(socket.got.map(key));
  });

  it('refuses an agent stream without agents:read, or for an agent that does not exist', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(op))
      .send({ name: 'tasks only', scopes: ['tasks:read'] })
      .expect(201);
    const forbidden = await request(t.http)
      .get(`/api/v1/agents/${agent.id}/events`)
      .set('x-api-key', created.body.data.key as string)
      .expect(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const missing = await request(t.http)
      .get('/api/v1/agents/00000000-0000-4000-8000-000000000000/events')
      .set(...bearer(admin))
      .expect(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    await request(t.http)
      .get('/api/v1/agents/not-a-uuid/events')
      .set(...bearer(admin))
      .expect(400);
    // HEAD gets the stream's headers and an end, not a stream held open with no body: the next request on the
    // same connection is answered.
    const connection = connect(Number(new URL(url).port), '127.0.0.1');
    let answers = '';
    connection.on('data', (chunk: Buffer) => (answers += chunk.toString()));
    const ask = (method: string, path: string): boolean =>
      connection.write(
        `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin.accessToken}\r\n\r\n`,
      );
    ask('HEAD', `/api/v1/agents/${agent.id}/events`);
    ask('GET', '/health/live');
    await waitFor(async () => answers.split('HTTP/1.1 200').length === 3, 10_000).finally(() => connection.destroy());
    expect(answers).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*content-type: text\/event-stream/i);
    // Like every API response, a stream is stored by no cache.
    expect(answers).toMatch(/\r\ncache-control: no-store, no-transform\r\n/i);
    expect(answers).not.toContain(': listening');
  });

  it('lets go of a client that stops reading, and keeps serving the others', async () => {
    const agentId = (await createAgent(t, admin, { type: 'calculator' })).id;
    const gateway = t.app.get(EventsGateway);
    const agentStreams = t.app.get(AgentEventsController);
    const bus = t.app.get(EventBus);
    const reader = await follower(url, admin, agentId);
    const stalled = await follower(url, admin, agentId);
    const readerSse = await openSse(`${url}/api/v1/agents/${agentId}/events`, admin.accessToken);
    const stalledSse = await openSse(`${url}/api/v1/agents/${agentId}/events`, admin.accessToken);
    sockets.push(reader.socket, stalled.socket);
    streams.push(readerSse, stalledSse);
    const socketsBefore = gateway.connections;
    const streamsBefore = agentStreams.streams;
    let stalledGone = false;
    stalled.socket.on('disconnect', () => (stalledGone = true));

    // The client's TCP socket stops reading: the kernel's buffers fill, then the server's.
    const stalledTcp = stopReading(stalled.socket);
    stalledSse.pause();

    // 16 MB of events, far more than the kernel holds for a client that does not read.
    const count = 1000;
    await publishEvents(
      bus,
      { agentId, createdBy: admin.id, count, progressMessage: 'x'.repeat(16 * 1024), burst: 20 },
      async (published) => {
        await waitFor(async () => reader.got.length === published && readerSse.events.length === published, 30_000, 5);
      },
    );

    await waitFor(
      async () => gateway.connections === socketsBefore - 1 && agentStreams.streams === streamsBefore - 1,
      30_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: sockets ${gateway.connections} of ${socketsBefore}, streams ${agentStreams.streams} of ` +
          `${streamsBefore}, read ${reader.got.length} / ${readerSse.events.length}`,
      );
    });
    expect(stalledGone).toBe(false); // it cannot even read the close yet: the server let go on its own
    stalledTcp.destroy();
    // The clients that read got every event.
    await waitFor(async () => reader.got.length === count && readerSse.events.length === count, 30_000);
    expect(reader.got.map((e) => (e as unknown as TaskEvent).progress)).toEqual([...Array(count).keys()]);
    expect(readerSse.events.map((e) => e.data.progress)).toEqual([...Array(count).keys()]);
  });
});
