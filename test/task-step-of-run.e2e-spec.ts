import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, type RunView, startRun, stepOf } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * A task says which workflow run and step it is a step of (`runId`, `stepId`), in `GET /tasks/:id` and in the
 * list alike, so that a client knows to retry the run and not the task; a task of its own says null for both.
 */
describe('the workflow run and step of a task', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { WORKER_CONCURRENCY: '4' } });
    op = await createUser(t, 'operator');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string) =>
    request(t.http)
      .get(`/api/v1${path}`)
      .set(...bearer(op));
  const finished = (runId: string) =>
    waitFor(async () => {
      const run = (await get(`/workflow-runs/${runId}`).expect(200)).body.data as RunView;
      return run.status !== 'running' ? run : undefined;
    }, 20_000);
  const stored = async (ids: string[]) =>
    (await t.dataSource.query(
      'SELECT id::text, run_id::text AS "runId", step_id AS "stepId" FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY id',
      [ids],
    )) as { id: string; runId: string | null; stepId: string | null }[];

  it("names a step task's run and step, and null for a task of its own, read alone and in the list", async () => {
    const own = await submitTask(t, op, { agentId: calc, input: { expression: '2 * 3' } });
    expect(own).toMatchObject({ runId: null, stepId: null });
    expect(await settled(t, op, own.id)).toMatchObject({ status: 'succeeded', runId: null, stepId: null });

    const workflowId = await createWorkflow(t, op, {
      steps: [
        { id: 'add', agentId: calc, input: { expression: '1 + 1' } },
        { id: 'double-it', agentId: calc, input: { expression: '2 * 2' }, dependsOn: ['add'] },
      ],
    });
    const run = await finished((await startRun(t, op, workflowId, {})).id);
    expect(run.status).toBe('succeeded');
    const byStep = { add: stepOf(run, 'add').taskId!, 'double-it': stepOf(run, 'double-it').taskId! };

    for (const [stepId, taskId] of Object.entries(byStep)) {
      const task = (await get(`/tasks/${taskId}`).expect(200)).body.data as Record<string, unknown>;
      expect(task).toMatchObject({ id: taskId, runId: run.id, stepId });
    }

    const listed = (await get(`/tasks?agentId=${calc}&limit=50`).expect(200)).body.data as Record<string, unknown>[];
    const seen = Object.fromEntries(listed.map((task) => [task.id, { runId: task.runId, stepId: task.stepId }]));
    expect(seen).toEqual({
      [own.id]: { runId: null, stepId: null },
      [byStep.add]: { runId: run.id, stepId: 'add' },
      [byStep['double-it']]: { runId: run.id, stepId: 'double-it' },
    });

    // What the API says is what the tasks' rows hold.
    const ids = [own.id, byStep.add, byStep['double-it']];
    expect(await stored(ids)).toEqual(ids.map((id) => ({ id, ...seen[id] })).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });
});
