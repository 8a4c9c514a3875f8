import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { filter } from 'rxjs';
import { EventsGateway } from '../src/events/events.gateway';
import { RedisConnectionFactory } from '../src/redis/redis-connection.factory';
import type { TaskEntity } from '../src/tasks/entities/task.entity';
import { type TaskEvent, EventBus } from '../src/events/event-bus';
import { taskEvent } from '../src/tasks/task-event';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { readSse } from './utils/sse';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import { connectEvents } from './utils/live-socket';

interface TaskUpdate {
  taskId: string;
  status: string;
  output?: unknown;
  error?: unknown;
}

describe('live events over Socket.IO, across API instances', () => {
  let worker: TestApp;
  let api: TestApp;
  let apiUrl: string;
  let op: TestUser;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    worker = await createTestApp();
    const { config } = worker.env;
    // A second, API-only instance on the same database and Redis: it runs no tasks itself.
    const apiEnv = new TestEnv({
      APP_ROLE: 'api',
      DATABASE_URL: config.database.url,
      REDIS_PREFIX: config.redis.prefix,
      JWT_SECRET: config.auth.jwtSecret,
      SECRETS_KEY: config.secretsKey!.toString('hex'),
    });
    api = await createTestApp({ shared: apiEnv });
    await api.app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    op = await createUser(worker, 'operator');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await api?.close();
    await worker?.close();
  });

  it('refuses a connection without a valid token', async () => {
    await expect(connectEvents(apiUrl)).rejects.toThrow('UNAUTHENTICATED');
    await expect(connectEvents(apiUrl, 'not-a-token')).rejects.toThrow('UNAUTHENTICATED');
  });

  it('serves nothing on the main namespace: a connection there is refused, even with a valid token', async () => {
    const socket = io(apiUrl, { auth: { token: op.accessToken }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const refusal = await new Promise<Error & { data?: unknown }>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected to the main namespace')));
      socket.once('connect_error', resolve);
    });
    expect(refusal.message).toBe('NOT_FOUND');
    expect(refusal.data).toEqual({ code: 'NOT_FOUND', namespace: '/events' });
    expect(socket.connected).toBe(false);
  });

  it('relays task.updated from a worker to a client of another instance, for tasks and agents it may see', async () => {
    const agent = await createAgent(worker, op, { type: 'calculator' });
    await request(worker.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const task = await submitTask(worker, op, { agentId: agent.id, input: { expression: '20 + 1' } });

    const socket = await connectEvents(apiUrl, op.accessToken);
    sockets.push(socket);
    const byTask: TaskUpdate[] = [];
    const byAgent: TaskUpdate[] = [];
    socket.on('task.updated', (e: TaskUpdate & { agentId: string }) =>
      (e.taskId === task.id ? byTask : byAgent).push(e),
    );
    expect(await socket.emitWithAck('subscribe', { taskId: task.id })).toEqual({ ok: true, room: `task:${task.id}` });
    expect(await socket.emitWithAck('subscribe', { agentId: agent.id })).toEqual({
      ok: true,
      room: `agent:${agent.id}:user:${op.id}`,
    });

    await request(worker.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    await waitFor(async () => byTask.some((e) => e.status === 'succeeded'), 15_000);
    expect(byTask.map((e) => e.status)).toContain('running');
    // Subscribed to both the task and its agent, the client gets each event once.
    expect(byTask.filter((e) => e.status === 'succeeded')).toHaveLength(1);
    // The final event carries the outcome; the others stay small.
    expect(byTask.find((e) => e.status === 'succeeded')).toMatchObject({ output: { result: 21 }, error: null });
    expect(byTask.filter((e) => e.status !== 'succeeded').some((e) => 'output' in e)).toBe(false);
  });

  it('stops sending the events of a subject after unsubscribe, and keeps sending the others', async () => {
    const paused = await createAgent(worker, op, { type: 'calculator' });
    await request(worker.http)
      .patch(`/api/v1/agents/${paused.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const left = await createAgent(worker, op, { type: 'calculator' });
    const kept = await createAgent(worker, op, { type: 'calculator' });
    const waiting = await submitTask(worker, op, { agentId: paused.id, input: { expression: '1 + 1' } });

    const socket = await connectEvents(apiUrl, op.accessToken);
    sockets.push(socket);
    const updates: (TaskUpdate & { agentId: string })[] = [];
    socket.on('task.updated', (e: TaskUpdate & { agentId: string }) => updates.push(e));
    // Sent back to back, without waiting for the first reply: they are handled in that order, so the
    // subscribe still checking access does not join after the unsubscribe has left.
    const [subscribed, unsubscribed] = await Promise.all([
      socket.emitWithAck('subscribe', { taskId: waiting.id }),
      socket.emitWithAck('unsubscribe', { taskId: waiting.id }),
    ]);
    expect(subscribed).toEqual({ ok: true, room: `task:${waiting.id}` });
    expect(unsubscribed).toEqual({ ok: true, room: `task:${waiting.id}` });
    expect(await socket.emitWithAck('subscribe', { agentId: left.id })).toMatchObject({ ok: true });
    expect(await socket.emitWithAck('subscribe', { agentId: kept.id })).toMatchObject({ ok: true });
    expect(await socket.emitWithAck('unsubscribe', { agentId: left.id })).toEqual({
      ok: true,
      room: `agent:${left.id}:user:${op.id}`,
    });
    // Leaving a room one is not in changes nothing; a body naming nothing is refused as subscribe refuses it.
    expect(await socket.emitWithAck('unsubscribe', { agentId: left.id })).toMatchObject({ ok: true });
    expect(await socket.emitWithAck('unsubscribe', { taskId: 'nope' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    });
    // A body naming two subjects is refused, not half followed.
    for (const event of ['subscribe', 'unsubscribe']) {
      expect(await socket.emitWithAck(event, { agentId: kept.id, runId: waiting.id })).toEqual({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: 'Send one of {taskId}, {agentId} or {runId}, not two' },
      });
    }

    await request(worker.http)
      .patch(`/api/v1/agents/${paused.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    const unwatched = await submitTask(worker, op, { agentId: left.id, input: { expression: '2 + 2' } });
    await settled(worker, op, waiting.id);
    await settled(worker, op, unwatched.id);
    // Published after the two above were final, on the same channel: once its last event is here, theirs
    // would have been too.
    const watched = await submitTask(worker, op, { agentId: kept.id, input: { expression: '3 + 3' } });
    await waitFor(async () => updates.some((e) => e.taskId === watched.id && e.status === 'succeeded'), 15_000);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((e) => e.taskId === watched.id)).toBe(true);
  });

  it('ends an SSE stream with an event that carries the output or the error', async () => {
    const agent = await createAgent(worker, op, { type: 'calculator' });
    const ok = await submitTask(worker, op, { agentId: agent.id, input: { expression: '6 * 7' } });
    const okStream = await readSse(worker.http, `/api/v1/tasks/${ok.id}/events`, bearer(op));
    expect(okStream.events.at(-1)).toMatchObject({
      type: 'task',
      data: { status: 'succeeded', output: { result: 42 }, error: null },
    });
    expect(okStream.events.slice(0, -1).some((e) => 'output' in e.data)).toBe(false);

    const bad = await submitTask(worker, op, { agentId: agent.id, input: { expression: '1 / 0' } });
    const badStream = await readSse(worker.http, `/api/v1/tasks/${bad.id}/events`, bearer(op));
    expect(badStream.events.at(-1)).toMatchObject({
      type: 'task',
      data: { status: 'failed', output: null, error: { code: expect.any(String), message: expect.any(String) } },
    });
    // A finished task's stream is its one event, with the time it changed, not the time it was read.
    const [stored] = await worker.dataSource.query(`SELECT updated_at FROM tasks WHERE id = $1`, [bad.id]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await readSse(worker.http, `/api/v1/tasks/${bad.id}/events`, bearer(op));
    expect(again.events.map((e) => e.data.updatedAt)).toEqual([stored.updated_at.toISOString()]);
  });

  it('relays again to a client that connects after every other client has left', async () => {
    for (const socket of sockets.splice(0)) socket.close();
    const gateway = api.app.get(EventsGateway);
    await waitFor(async () => gateway.connections === 0, 5_000);

    const agent = await createAgent(worker, op, { type: 'calculator' });
    const socket = await connectEvents(apiUrl, op.accessToken);
    sockets.push(socket);
    const updates: TaskUpdate[] = [];
    socket.on('task.updated', (e: TaskUpdate) => updates.push(e));
    expect(await socket.emitWithAck('subscribe', { agentId: agent.id })).toMatchObject({ ok: true });
    const task = await submitTask(worker, op, { agentId: agent.id, input: { expression: '3 * 3' } });
    await waitFor(async () => updates.some((e) => e.taskId === task.id && e.status === 'succeeded'), 15_000);
  });

  it('sends the events made in one turn as one message, which every instance reads in order', async () => {
    const { redis } = worker.env.config;
    const raw = worker.app.get(RedisConnectionFactory).create('subscriber');
    const messages: string[] = [];
    raw.on('message', (_channel: string, message: string) => messages.push(message));
    await raw.subscribe(`${redis.prefix}:events:tasks`);
    const received: TaskEvent[] = [];
    const events = api.app.get(EventBus);
    await events.listening();
    const subscription = events
      .events()
      .pipe(filter((e) => e.agentId === 'agent-of-the-turn'))
      .subscribe((e) => received.push(e));
    try {
      const made = ['queued', 'running', 'succeeded'].map((status, i) => ({
        ...taskEvent({ id: `task-${i}`, agentId: 'agent-of-the-turn', createdBy: op.id } as TaskEntity),
        status: status as TaskEvent['status'],
      }));
      for (const event of made) worker.app.get(EventBus).publish(event);
      await waitFor(async () => received.length === made.length);
      expect(received).toEqual(made);
      expect(messages).toEqual([JSON.stringify(made)]);
    } finally {
      subscription.unsubscribe();
      raw.disconnect();
    }
  });

  it("does not let a user follow someone else's task, nor see it through the agent", async () => {
    const other = await createUser(worker, 'operator');
    const agent = await createAgent(worker, op, { type: 'calculator' });
    const socket = await connectEvents(apiUrl, other.accessToken);
    sockets.push(socket);
    const seen: TaskUpdate[] = [];
    socket.on('task.updated', (e: TaskUpdate) => seen.push(e));
    expect(await socket.emitWithAck('subscribe', { agentId: agent.id })).toEqual({
      ok: true,
      room: `agent:${agent.id}:user:${other.id}`,
    });
    const task = await submitTask(worker, op, { agentId: agent.id, input: { expression: '1' } });
    const reply = await socket.emitWithAck('subscribe', { taskId: task.id });
    expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: 'NOT_FOUND' }) });
    // An agent that does not exist: NOT_FOUND, as its SSE stream answers.
    expect(await socket.emitWithAck('subscribe', { agentId: randomUUID() })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'NOT_FOUND' }),
    });
    const admin = await login(worker.http, ADMIN.email, ADMIN.password);
    const adminSocket = await connectEvents(apiUrl, admin.accessToken);
    sockets.push(adminSocket);
    const adminSeen: TaskUpdate[] = [];
    adminSocket.on('task.updated', (e: TaskUpdate) => adminSeen.push(e));
    await adminSocket.emitWithAck('subscribe', { agentId: agent.id });
    const second = await submitTask(worker, op, { agentId: agent.id, input: { expression: '2' } });
    await waitFor(async () => adminSeen.some((e) => e.taskId === second.id && e.status === 'succeeded'), 15_000);
    expect(seen).toEqual([]);
  });
});

describe('run.updated on Socket.IO', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('follows a run to its end, for its owner only', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const wf = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: 'live', steps: [{ id: 'a', agentId: agent.id, input: { expression: '1' } }] })
      .expect(201);
    const run = await request(t.http)
      .post(`/api/v1/workflows/${wf.body.data.id}/runs`)
      .set(...bearer(op))
      .send({})
      .expect(202);
    const runId = run.body.data.id as string;

    const stranger = await connectEvents(url, (await createUser(t, 'operator')).accessToken);
    expect(await stranger.emitWithAck('subscribe', { runId })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'NOT_FOUND' }),
    });
    stranger.close();

    const socket = await connectEvents(url, op.accessToken);
    const updates: { runId: string; status: string }[] = [];
    socket.on('run.updated', (e: { runId: string; status: string }) => updates.push(e));
    expect(await socket.emitWithAck('subscribe', { runId })).toEqual({ ok: true, room: `run:${runId}` });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    await waitFor(async () => updates.some((e) => e.status === 'succeeded'), 15_000);
    expect(updates.every((e) => e.runId === runId)).toBe(true);
    socket.close();
  });
});

describe('the queue board at /admin/queues', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is for admins only', async () => {
    const anonymous = await request(t.http).get('/admin/queues').expect(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const operator = await createUser(t, 'operator');
    const forbidden = await request(t.http)
      .get('/admin/queues')
      .set(...bearer(operator))
      .expect(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    await request(t.http)
      .get('/admin/queues')
      .set(...bearer(admin))
      .expect(200)
      .expect('Content-Type', /html/);
    const queues = await request(t.http)
      .get('/admin/queues/api/queues')
      .set(...bearer(admin))
      .expect(200);
    expect(JSON.stringify(queues.body)).toContain('"name":"tasks"');
  });
});
