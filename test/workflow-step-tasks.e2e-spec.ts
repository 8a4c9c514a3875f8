import type { ServerResponse } from 'node:http';
import request from 'supertest';
import { operationEnded } from './factories/bulk-operations';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, type RunView, stepOf } from './factories/workflows';
import { json, LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * A workflow run's step tasks steered on their own: a step task cancelled alone fails its run (unless the
 * step's `continueOnFailure` excuses it), a step task is retried through its run only, and a run's retry that
 * would run a deleted agent's step is refused up front.
 */
describe("a workflow run's step tasks", () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  /** An HTTP agent whose calls are held until the test lets them through (`open`), or their task is cancelled. */
  let gated: string;
  let open = false;
  const held: ServerResponse[] = [];
  const remote = new LoopbackServer();

  beforeAll(async () => {
    const url = await remote.start();
    remote.handler = (_req, res) => (open ? json(res, 200, { ok: true }) : held.push(res));
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '4' } });
    op = await createUser(t, 'operator');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    gated = (await createAgent(t, op, { type: 'http', config: { url: `${url}/gated` }, concurrency: 4 })).id;
  });
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });
  beforeEach(() => {
    open = false;
  });

  const api = (user = op) => ({
    get: (path: string) =>
      request(t.http)
        .get(`/api/v1${path}`)
        .set(...bearer(user)),
    post: (path: string, body: object = {}) =>
      request(t.http)
        .post(`/api/v1${path}`)
        .set(...bearer(user))
        .send(body),
    delete: (path: string) =>
      request(t.http)
        .delete(`/api/v1${path}`)
        .set(...bearer(user)),
  });
  const runOf = async (id: string) => (await api().get(`/workflow-runs/${id}`).expect(200)).body.data as RunView;
  const concluded = (id: string) => waitFor(async () => (await runOf(id)).status !== 'running' && runOf(id), 20_000);
  const start = async (workflowId: string, tags: string[] = []) =>
    (await api().post(`/workflows/${workflowId}/runs`, { input: {}, tags }).expect(202)).body.data as RunView;
  const taskStatus = async (id: string) => (await api().get(`/tasks/${id}`).expect(200)).body.data.status as string;
  /** The run's step `s1` once its task is running (its call held by the remote end). */
  const runningStep = async (runId: string) =>
    waitFor(async () => {
      const taskId = stepOf(await runOf(runId), 's1').taskId;
      return taskId !== null && (await taskStatus(taskId)) === 'running' ? taskId : undefined;
    });
  const steps = (run: RunView) => Object.fromEntries(run.steps.map((s) => [s.id, s.status]));
  /** s1 (the gated agent) → b, and c beside them; `extra` adds steps (a wait step makes the run advance whole). */
  const workflow = (s1: object = {}, extra: object[] = []) =>
    createWorkflow(t, op, {
      steps: [
        { id: 's1', agentId: gated, input: {}, ...s1 },
        { id: 'b', agentId: calc, input: { expression: '1 + 1' }, dependsOn: ['s1'] },
        { id: 'c', agentId: calc, input: { expression: '2 + 2' } },
        ...extra,
      ],
    });

  it('fails the run whose step task was cancelled alone, then retries it through the run only', async () => {
    const run = await start(await workflow());
    const s1 = await runningStep(run.id);
    await api().post(`/tasks/${s1}/cancel`).expect(200);
    const failed = await concluded(run.id);
    expect(failed.status).toBe('failed');
    expect(steps(failed)).toEqual({ s1: 'cancelled', b: 'skipped', c: 'succeeded' });

    // Retried alone, the task's outcome would never reach its run: refused, pointing to the run's retry.
    const refused = await api().post(`/tasks/${s1}/retry`).expect(409);
    expect(refused.body.error.code).toBe('INVALID_STATE');
    expect(refused.body.error.message).toContain(`POST /api/v1/workflow-runs/${run.id}/retry`);
    expect(refused.body.error.message).toContain('step s1');
    expect(await taskStatus(s1)).toBe('cancelled');

    open = true;
    await api().post(`/workflow-runs/${run.id}/retry`).expect(202);
    const done = await concluded(run.id);
    expect(done.status).toBe('succeeded');
    expect(steps(done)).toEqual({ s1: 'succeeded', b: 'succeeded', c: 'succeeded' });
    expect(stepOf(done, 's1').taskId).not.toBe(s1);
  });

  it('lets the run go on when the cancelled step has continueOnFailure, as after a failed one', async () => {
    const run = await start(await workflow({ continueOnFailure: true }));
    await api()
      .post(`/tasks/${await runningStep(run.id)}/cancel`)
      .expect(200);
    const done = await concluded(run.id);
    expect(done.status).toBe('succeeded');
    expect(steps(done)).toEqual({ s1: 'cancelled', b: 'succeeded', c: 'succeeded' });
  });

  it('fails a run advanced as a whole (it has a wait step) whose step task was cancelled alone', async () => {
    const run = await start(await workflow({}, [{ id: 'w', kind: 'wait', durationMs: 1 }]));
    await api()
      .post(`/tasks/${await runningStep(run.id)}/cancel`)
      .expect(200);
    const failed = await concluded(run.id);
    expect(failed.status).toBe('failed');
    expect(steps(failed)).toEqual({ s1: 'cancelled', b: 'skipped', c: 'succeeded', w: 'succeeded' });
  });

  it("fails the run a bulk cancel of tasks reaches through its tags, and a bulk retry of tasks skips the run's step", async () => {
    const run = await start(await workflow(), ['step-bulk']);
    const s1 = await runningStep(run.id);
    const cancel = await api()
      .post('/tasks/bulk', { action: 'cancel', filter: { tag: 'step-bulk' } })
      .expect(202);
    expect(await operationEnded(t, op, cancel.body.data.id)).toMatchObject({ status: 'succeeded', done: 1 });
    expect((await concluded(run.id)).status).toBe('failed');

    const plain = (await submitTask(t, op, { agentId: calc, input: { expression: '1 / 0' }, tags: ['step-bulk'] })).id;
    await settled(t, op, plain);
    // The run's step task is retried with its run: a retry of tasks neither counts nor reaches it.
    const dry = await api().post('/tasks/bulk', { action: 'retry', filter: { tag: 'step-bulk' }, dryRun: true });
    expect(dry.body.data.matched).toBe(1);
    const retry = await api()
      .post('/tasks/bulk', { action: 'retry', filter: { tag: 'step-bulk' } })
      .expect(202);
    expect(await operationEnded(t, op, retry.body.data.id)).toMatchObject({
      status: 'succeeded',
      matched: 1,
      done: 1,
      failed: 0,
    });
    const [row] = (await t.dataSource.query(`SELECT status, attempts FROM tasks WHERE id = $1`, [s1])) as {
      status: string;
      attempts: number;
    }[];
    expect(row).toEqual({ status: 'cancelled', attempts: 1 });
    expect(steps(await runOf(run.id))).toEqual({ s1: 'cancelled', b: 'skipped', c: 'succeeded' });
    await waitFor(async () => (await settled(t, op, plain)).attempts === 2);
  });

  it('refuses up front the retry of a run that would run again a step whose agent was deleted', async () => {
    const doomed = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await createWorkflow(t, op, {
      steps: [
        { id: 'a', agentId: calc, input: { expression: '1 + 1' } },
        { id: 'b', agentId: doomed, input: { expression: '1 / 0' }, dependsOn: ['a'] },
      ],
    });
    const run = await start(workflowId);
    const failed = await concluded(run.id);
    expect(steps(failed)).toEqual({ a: 'succeeded', b: 'failed' });
    await api().delete(`/agents/${doomed}`).expect(204);

    const refused = await api().post(`/workflow-runs/${run.id}/retry`).expect(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect(refused.body.error.message).toMatch(/^The agent of step b has been deleted/);
    // Nothing changed: the run is as it failed, its steps not reset.
    expect(await runOf(run.id)).toEqual(failed);
    // As a new run of the workflow is refused.
    expect((await api().post(`/workflows/${workflowId}/runs`, {}).expect(409)).body.error.code).toBe('CONFLICT');

    const bulk = await api().post('/workflow-runs/bulk', { action: 'retry', filter: { workflowId } }).expect(202);
    expect(await operationEnded(t, op, bulk.body.data.id)).toMatchObject({ matched: 1, done: 0, failed: 1 });
    expect((await runOf(run.id)).status).toBe('failed');
  });

  it('retries a run of a workflow deleted since: it finishes the run begun, while new runs are refused', async () => {
    const workflowId = await createWorkflow(t, op, {
      steps: [{ id: 's1', agentId: gated, input: {} }],
    });
    const run = await start(workflowId);
    const s1 = await runningStep(run.id);
    await api().post(`/tasks/${s1}/cancel`).expect(200);
    expect((await concluded(run.id)).status).toBe('failed');
    await api().delete(`/workflows/${workflowId}`).expect(204);
    expect((await api().post(`/workflows/${workflowId}/runs`, {}).expect(404)).body.error.code).toBe('NOT_FOUND');

    open = true;
    await api().post(`/workflow-runs/${run.id}/retry`).expect(202);
    const done = await concluded(run.id);
    expect(done.status).toBe('succeeded');
    expect(steps(done)).toEqual({ s1: 'succeeded' });
  });
});
