import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import type { EventBus } from '../../src/events/event-bus';
import { bearer, type TestUser } from '../factories/users';
import { createTestApp, type TestApp } from './test-app';

/** A task event as a live listener receives it (the fields the tests compare). */
export interface Update {
  taskId: string;
  agentId: string;
  status: string;
  attempts: number;
}

const RANK: Record<string, number> = { queued: 0, running: 1, succeeded: 2 };

/** A Socket.IO client of the namespace `/events` at `url`, connected with `token` (no reconnection). */
export function connectEvents(
  url: string,
  token?: string,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<Socket> {
  const socket = io(`${url}/events`, { auth: token ? { token } : {}, transports, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** An event's identity: its task, its status and its attempt. */
export const key = (e: Update): string => `${e.taskId}:${e.status}:${e.attempts}`;

/** Every task's events came in the order they were made: queued, running, succeeded, each once. */
export function inOrder(events: Update[]): boolean {
  const last = new Map<string, number>();
  for (const e of events) {
    const rank = RANK[e.status];
    if (rank === undefined || rank <= (last.get(e.taskId) ?? -1)) return false;
    last.set(e.taskId, rank);
  }
  return true;
}

/** Submits `n` calculator tasks of `agentId` in one batch; their ids. */
export async function submitBatch(t: TestApp, user: TestUser, agentId: string, n: number): Promise<string[]> {
  const res = await request(t.http)
    .post('/api/v1/tasks/batch')
    .set(...bearer(user))
    .send({ tasks: Array.from({ length: n }, (_, i) => ({ agentId, input: { expression: `${i} + 1` } })) })
    .expect(202);
  return (res.body.data as { id: string }[]).map((task) => task.id);
}

/** An app listening on a loopback port, for live clients, and its URL. */
export async function listeningApp(env: Record<string, string>): Promise<{ t: TestApp; url: string }> {
  const t = await createTestApp({ env });
  await t.app.listen(0, '127.0.0.1');
  return { t, url: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}` };
}

/** Stops reading a connected client's TCP socket (the kernel's buffers fill, then the server's); the socket. */
export function stopReading(socket: Socket): { destroy(): void } {
  const engine = socket.io.engine as unknown as {
    transport: { ws: { _socket: { pause(): void; destroy(): void } } };
  };
  const tcp = engine.transport.ws._socket;
  tcp.pause();
  return tcp;
}

/**
 * Publishes `count` `running` events of one made-up task of `agentId`, `progress` 0, 1, 2, …, each carrying
 * `progressMessage`, `burst` at a time with a pause of 5 ms between bursts (or until `caughtUp`).
 */
export async function publishEvents(
  bus: EventBus,
  {
    agentId,
    createdBy,
    count,
    progressMessage,
    burst,
  }: Record<'agentId' | 'createdBy' | 'progressMessage', string> & Record<'count' | 'burst', number>,
  /**
   * Waits, after each burst, until the clients that read are close enough to the `published` events: they
   * then stay within the limit however slow the machine, and only a client that does not read falls behind.
   */
  caughtUp?: (published: number) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    bus.publish({
      taskId: '00000000-0000-4000-8000-000000000001',
      agentId,
      createdBy,
      status: 'running',
      progress: i,
      progressMessage,
      attempts: 1,
      error: null,
      updatedAt: new Date().toISOString(),
    });
    if (i % burst !== burst - 1) continue;
    if (caughtUp) await caughtUp(i + 1);
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
