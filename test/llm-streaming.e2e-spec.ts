import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { EventStreamParser } from '../src/agents/outbound/event-stream';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { LoopbackServer, streamChat } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import { connectEvents } from './utils/live-socket';

interface Delta {
  taskId: string;
  attempt: number;
  seq: number;
  delta: string;
}
interface TaskUpdate {
  taskId: string;
  status: string;
  attempts: number;
  output?: { text: string } | null;
}
/** What a live client saw, in the order it saw it. */
type Seen = { kind: 'delta'; event: Delta } | { kind: 'task'; event: TaskUpdate };

/** Follows a task's SSE stream as it arrives (the parser is the one the llm agent reads model streams with). */
function followSse(url: string, path: string, token: string) {
  const seen: Seen[] = [];
  const parser = new EventStreamParser();
  const ended = new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.on('data', (chunk: Buffer) => {
        for (const e of parser.push(chunk)) {
          const data = JSON.parse(e.data) as Delta & TaskUpdate;
          seen.push(e.event === 'task.output.delta' ? { kind: 'delta', event: data } : { kind: 'task', event: data });
        }
      });
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  return { seen, ended };
}

/** Checks a client's view: numbered deltas per attempt, then the final event with the whole output. */
function expectInOrder(seen: Seen[], attempt: number, text: string): void {
  const deltas = seen.filter((s) => s.kind === 'delta' && s.event.attempt === attempt).map((s) => s.event as Delta);
  expect(deltas.length).toBeGreaterThan(1);
  expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
  expect(deltas.map((d) => d.delta).join('')).toBe(text);
  const finalAt = seen.findIndex((s) => s.kind === 'task' && s.event.status === 'succeeded');
  expect(finalAt).toBe(seen.length - 1);
  expect((seen[finalAt].event as TaskUpdate).output).toMatchObject({ text });
}

describe('llm answers stream to live clients (full stack, OpenAI-compatible stub on loopback)', () => {
  const stub = new LoopbackServer();
  let t: TestApp;
  let url: string;
  let op: TestUser;
  let stubUrl: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stubUrl = await stub.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await stub.stop();
  });

  const setStatus = (agentId: string, status: 'active' | 'paused') =>
    request(t.http)
      .patch(`/api/v1/agents/${agentId}`)
      .set(...bearer(op))
      .send({ status })
      .expect(200);

  /** A paused llm agent with a task waiting, followed over Socket.IO and SSE before it starts. */
  async function followedTask(body: Record<string, unknown> = {}) {
    const agent = await createAgent(t, op, { type: 'llm', config: { baseUrl: `${stubUrl}/v1`, model: 'tiny' } });
    await setStatus(agent.id, 'paused');
    const task = await submitTask(t, op, { agentId: agent.id, input: { prompt: 'Tell a story' }, ...body });
    const socket = await connectEvents(url, op.accessToken);
    sockets.push(socket);
    const bySocket: Seen[] = [];
    socket.on('task.output.delta', (event: Delta) => bySocket.push({ kind: 'delta', event }));
    socket.on('task.updated', (event: TaskUpdate) => bySocket.push({ kind: 'task', event }));
    expect(await socket.emitWithAck('subscribe', { taskId: task.id })).toMatchObject({ ok: true });
    const sse = followSse(url, `/api/v1/tasks/${task.id}/events`, op.accessToken);
    // The stream's first event is the task as it is: from then on nothing is missed.
    await waitFor(async () => sse.seen.length > 0, 5000);
    await setStatus(agent.id, 'active');
    return { task, bySocket, sse };
  }

  it('Socket.IO and SSE clients get the deltas in order, then the final event with the whole output', async () => {
    const pieces = ['Once', ' upon', ' a', ' time', ', the', ' end.'];
    stub.handler = (_req, res) => streamChat(res, pieces, { delayMs: 120 });
    const { task, bySocket, sse } = await followedTask();

    await sse.ended;
    await waitFor(async () => bySocket.some((s) => s.kind === 'task' && s.event.status === 'succeeded'), 5000);
    const text = pieces.join('');
    expectInOrder(sse.seen, 1, text);
    expectInOrder(bySocket, 1, text);
    // Deltas only while the attempt runs: never stored, the task's output is the whole text.
    const stored = await settled(t, op, task.id);
    expect(stored.output).toEqual({
      text,
      model: 'tiny-2024',
      usage: { promptTokens: 3, completionTokens: pieces.length, totalTokens: 3 + pieces.length },
      finishReason: 'stop',
    });
  });

  it('cancelling a task mid-stream closes the upstream connection while it still streams', async () => {
    let cutShort = false;
    stub.handler = (_req, res) => {
      // 200 words 100 ms apart: the connection closes before the stream ends only if the cancellation closes it.
      res.on('close', () => (cutShort = !res.writableEnded));
      streamChat(
        res,
        Array.from({ length: 200 }, (_, i) => `word${i} `),
        { delayMs: 100 },
      );
    };
    const { task, bySocket, sse } = await followedTask();
    await waitFor(async () => bySocket.some((s) => s.kind === 'delta'), 5000);

    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(op))
      .expect(200);
    await waitFor(async () => cutShort);
    await sse.ended;
    expect((await settled(t, op, task.id)).status).toBe('cancelled');
    expect(sse.seen.at(-1)).toMatchObject({ kind: 'task', event: { status: 'cancelled' } });
  });

  it('a stream cut mid-way is retried, and the next attempt streams from the start and succeeds', async () => {
    const pieces = ['Hel', 'lo', ', ', 'wor', 'ld'];
    let calls = 0;
    stub.handler = (_req, res) => {
      calls += 1;
      streamChat(res, pieces, { delayMs: 80, cutAfter: calls === 1 ? 3 : undefined });
    };
    const { task, bySocket, sse } = await followedTask({ maxAttempts: 3, backoffMs: 100 });

    await sse.ended;
    const done = await settled(t, op, task.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      output: expect.objectContaining({ text: 'Hello, world' }),
    });
    const attempts = await request(t.http)
      .get(`/api/v1/tasks/${task.id}/attempts`)
      .set(...bearer(op))
      .expect(200);
    expect(attempts.body.data[0]).toMatchObject({ status: 'failed', error: { code: 'NETWORK_ERROR' } });
    // The first attempt's deltas stop where it was cut; the second one's number from 1 again.
    const firstAttempt = sse.seen.filter((s) => s.kind === 'delta' && s.event.attempt === 1);
    expect(firstAttempt.map((s) => (s.event as Delta).delta).join('')).toBe('Hello, ');
    expect(sse.seen.some((s) => s.kind === 'task' && s.event.status === 'retrying')).toBe(true);
    expectInOrder(sse.seen, 2, 'Hello, world');
    await waitFor(async () => bySocket.some((s) => s.kind === 'task' && s.event.status === 'succeeded'), 5000);
    expectInOrder(bySocket, 2, 'Hello, world');
  });
});
