import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait-for';
import { createAgent } from './tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './users';

export interface StepView {
  id: string;
  kind: string;
  status: string;
  taskId: string | null;
  output: unknown;
  error: { code: string; message: string } | null;
  waitUntil: string | null;
  approvalDeadline: string | null;
  decision: { outcome: string; by: string | null; at: string; comment: string | null } | null;
  permission: string | null;
}
export interface RunView {
  id: string;
  status: string;
  steps: StepView[];
}

/** The HTTP steps of a test: define, start, read, decide, wait for a run's end. */
export function client(t: TestApp) {
  const define = async (user: TestUser, steps: object[]) =>
    (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(user))
        .send({ name: 'waits', steps })
        .expect(201)
    ).body.data as { id: string };
  const start = async (user: TestUser, steps: object[], input: object = {}) => {
    const wf = await define(user, steps);
    return (
      await request(t.http)
        .post(`/api/v1/workflows/${wf.id}/runs`)
        .set(...bearer(user))
        .send({ input })
        .expect(202)
    ).body.data as RunView;
  };
  const get = async (user: TestUser, runId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${runId}`)
        .set(...bearer(user))
        .expect(200)
    ).body.data as RunView;
  const step = (run: RunView, id: string) => run.steps.find((s) => s.id === id)!;
  const stepIs = (user: TestUser, runId: string, id: string, status: string, timeoutMs = 20_000) =>
    waitFor(async () => {
      const run = await get(user, runId);
      return step(run, id).status === status && run;
    }, timeoutMs);
  const ended = (user: TestUser, runId: string, timeoutMs = 20_000) =>
    waitFor(async () => {
      const run = await get(user, runId);
      return run.status !== 'running' && run;
    }, timeoutMs);
  const decide = (user: TestUser, runId: string, stepId: string, verb: 'approve' | 'reject', body: object = {}) =>
    request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/steps/${stepId}/${verb}`)
      .set(...bearer(user))
      .send(body);
  const stored = async (runId: string) =>
    (
      (await t.dataSource.query(
        `SELECT status, wake_at AS "wakeAt", parked,
                (SELECT jsonb_object_agg(step_id, state) FROM workflow_run_steps WHERE run_id = r.id) AS steps
           FROM workflow_runs r WHERE id = $1`,
        [runId],
      )) as { status: string; steps: Record<string, Record<string, unknown>>; wakeAt: Date | null; parked: boolean }[]
    )[0];
  return { define, start, get, step, stepIs, ended, decide, stored };
}

/** What {@link client} returns. */
export type WaitsClient = ReturnType<typeof client>;

/** What {@link waitsTestBed} made: the app, two operators, the admin, an operator's calculator agent, a client. */
export interface WaitsTestBed {
  t: TestApp;
  op: TestUser;
  other: TestUser;
  admin: TestUser;
  calc: string;
  c: WaitsClient;
}

/**
 * Set-up for the describe block it is called in: before its tests, starts an app whose queue reconciler runs
 * every second, with two operators, the admin, a calculator agent of the first operator's and a {@link client},
 * and hands them to `use`; after them, closes the app.
 */
export function waitsTestBed(use: (bed: WaitsTestBed) => void): void {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await createTestApp({ env: { QUEUE_RECONCILE_INTERVAL_MS: '1000' } });
    const op = await createUser(t, 'operator');
    const other = await createUser(t, 'operator');
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    use({ t, op, other, admin, calc, c: client(t) });
  });
  afterAll(async () => {
    await t?.close();
  });
}
