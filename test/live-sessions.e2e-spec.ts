import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser, updateUser } from './factories/users';
import { connectEvents, listeningApp } from './utils/live-socket';
import { openSse, type SseListener } from './utils/sse-listener';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** A connected Socket.IO client and its disconnection, once it comes. */
interface Watched {
  socket: Socket;
  disconnected: Promise<string>;
}

async function watch(url: string, token: string, agentId: string): Promise<Watched> {
  const socket = await connectEvents(url, token);
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  const reply = (await socket.emitWithAck('subscribe', { agentId })) as { ok: boolean };
  expect(reply.ok).toBe(true);
  return { socket, disconnected };
}

describe('live connections of a caller who loses access', () => {
  let t: TestApp;
  let url: string;
  let admin: TestUser;
  let agentId: string;
  const sockets: Socket[] = [];
  const streams: SseListener[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp({}));
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    agentId = (await createAgent(t, admin, { type: 'calculator' })).id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const stream of streams) stream.close();
    await t?.close();
  });

  const patchUser = (user: TestUser, body: Record<string, unknown>) => updateUser(t, admin, user.id, body);

  /** The user's socket and agent stream, both following the agent. */
  async function follow(user: TestUser): Promise<{ live: Watched; stream: SseListener }> {
    const live = await watch(url, user.accessToken, agentId);
    sockets.push(live.socket);
    const stream = await openSse(`${url}/api/v1/agents/${agentId}/events`, user.accessToken);
    streams.push(stream);
    return { live, stream };
  }

  it('ends the socket and the stream of a deactivated user at once, and refuses them again', async () => {
    const user = await createUser(t, 'operator');
    const { live, stream } = await follow(user);
    const bystander = await follow(await createUser(t, 'operator'));

    await patchUser(user, { isActive: false });
    await expect(live.disconnected).resolves.toBe('io server disconnect');
    await waitFor(async () => stream.ended);
    await expect(connectEvents(url, user.accessToken)).rejects.toThrow('UNAUTHENTICATED');
    // Others' connections stay.
    expect(bystander.live.socket.connected).toBe(true);
    expect(bystander.stream.ended).toBe(false);
  });

  it('ends the connections of a user whose role changes, who then reads nothing more', async () => {
    const user = await createUser(t, 'admin');
    const { live, stream } = await follow(user);
    const seen: unknown[] = [];
    live.socket.on('task.updated', (e: unknown) => seen.push(e));

    await patchUser(user, { role: 'viewer' });
    await expect(live.disconnected).resolves.toBe('io server disconnect');
    await waitFor(async () => stream.ended);
    const before = stream.events.length;
    const task = await submitTask(t, admin, { agentId, input: { expression: '6 * 7' } });
    await settled(t, admin, task.id);
    expect(seen).toEqual([]);
    expect(stream.events).toHaveLength(before);
  });

  it("ends an API key's stream when the key is revoked, and a task's stream of its deactivated creator", async () => {
    const user = await createUser(t, 'operator');
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(user))
      .send({ name: 'live', scopes: ['agents:read', 'tasks:read'] })
      .expect(201);
    const keyed = await openSse(`${url}/api/v1/agents/${agentId}/events`, { apiKey: created.body.data.key });
    streams.push(keyed);
    await request(t.http)
      .delete(`/api/v1/api-keys/${created.body.data.id}`)
      .set(...bearer(user))
      .expect(204);
    await waitFor(async () => keyed.ended);

    // A task that waits (its agent paused) keeps its stream open until its creator is deactivated.
    const paused = await createAgent(t, user, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${paused.id}`)
      .set(...bearer(user))
      .send({ status: 'paused' })
      .expect(200);
    const task = await submitTask(t, user, { agentId: paused.id, input: { expression: '1 + 1' } });
    const taskStream = await openSse(`${url}/api/v1/tasks/${task.id}/events`, user.accessToken);
    streams.push(taskStream);
    await waitFor(async () => taskStream.events.length > 0);
    expect(taskStream.ended).toBe(false);
    await patchUser(user, { isActive: false });
    await waitFor(async () => taskStream.ended);
  });
});
