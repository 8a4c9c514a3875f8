import request from 'supertest';
import type { TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait-for';
import { bearer, type TestUser } from './users';

export async function createAgent(t: TestApp, user: TestUser, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await request(t.http)
    .post('/api/v1/agents')
    .set(...bearer(user))
    .send({ name: `agent-${Math.random().toString(36).slice(2, 10)}`, ...body });
  if (res.status !== 201) throw new Error(`agent: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function submitTask(
  t: TestApp,
  user: TestUser,
  body: Record<string, unknown>,
): Promise<{ id: string; status: string }> {
  const res = await request(t.http)
    .post('/api/v1/tasks')
    .set(...bearer(user))
    .send(body);
  if (res.status !== 202) throw new Error(`task: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export const FINAL = ['succeeded', 'failed', 'cancelled', 'expired'];

/** A task as the API returns it. */
export interface TaskView {
  id: string;
  status: string;
  output: unknown;
  error: { code: string; message: string } | null;
  attempts: number;
  progress: number;
  startedAt: string;
  finishedAt: string;
  [field: string]: unknown;
}

/** Waits for a task to reach a final status and returns it as the API shows it. */
export async function settled(t: TestApp, user: TestUser, id: string, timeoutMs = 15_000): Promise<TaskView> {
  return waitFor(async () => {
    const res = await request(t.http)
      .get(`/api/v1/tasks/${id}`)
      .set(...bearer(user));
    return FINAL.includes(res.body.data?.status) ? (res.body.data as TaskView) : undefined;
  }, timeoutMs);
}
