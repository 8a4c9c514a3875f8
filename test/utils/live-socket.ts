import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { bearer, type TestUser } from '../factories/users';
import type { TestApp } from './test-app';

/** A task event as a live listener receives it (the fields the tests compare). */
export interface Update {
  taskId: string;
  agentId: string;
  status: string;
  attempts: number;
}

const RANK: Record<string, number> = { queued: 0, running: 1, succeeded: 2 };

/** A Socket.IO client of the namespace `/events` at `url`, connected with `token` (no reconnection). */
export function connectEvents(url: string, token?: string): Promise<Socket> {
  const socket = io(`${url}/events`, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
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
