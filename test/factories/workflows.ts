import request from 'supertest';
import type { TestApp } from '../utils/test-app';
import { bearer, type TestUser } from './users';

/** Creates a workflow (a random name unless `body` gives one); fails the test on anything but 201. */
export async function createWorkflow(t: TestApp, user: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await request(t.http)
    .post('/api/v1/workflows')
    .set(...bearer(user))
    .send({ name: `wf-${Math.random().toString(36).slice(2, 10)}`, ...body });
  if (res.status !== 201) throw new Error(`workflow: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.data as { id: string }).id;
}

/** Starts a run of `workflowId` with `input`; fails the test on anything but 202. Returns the run as answered. */
export async function startRun<Run extends { id: string } = { id: string; status: string }>(
  t: TestApp,
  user: TestUser,
  workflowId: string,
  input?: Record<string, unknown>,
): Promise<Run> {
  const res = await request(t.http)
    .post(`/api/v1/workflows/${workflowId}/runs`)
    .set(...bearer(user))
    .send(input === undefined ? {} : { input });
  if (res.status !== 202) throw new Error(`run: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Run;
}
