import request from 'supertest';
import { TaskQueue } from '../src/tasks/task-queue';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { waitFor } from './utils/wait-for';
import { createWorkflow, startRun } from './factories/workflows';
import { HeldCalls, LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';

/** Cancels sent together: the run's state is checked and changed at once, so only one of them cancels it. */
describe('cancelling a workflow run', () => {
  let t: TestApp;
  let op: TestUser;

  const remote = new LoopbackServer();
  /** Calls of the http steps, by task: each held until the end, its task running meanwhile. */
  const held = new HeldCalls(remote, (req) => (JSON.parse(req.body) as { taskId: string }).taskId);
  let remoteUrl: string;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '2' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    held.answerAll();
    await t?.close();
    await remote.stop();
  });

  /** A run held by an approval step nobody decides: `running`, with its step `waiting`. */
  const waitingRun = async (): Promise<string> => {
    const workflowId = await createWorkflow(t, op, { name: 'gated', steps: [{ id: 'ok', kind: 'approval' }] });
    const run = await startRun<{ id: string; status: string; steps: { status: string }[] }>(t, op, workflowId);
    expect(run.status).toBe('running');
    expect(run.steps[0].status).toBe('waiting');
    return run.id;
  };

  const cancel = (runId: string) =>
    request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/cancel`)
      .set(...bearer(op));

  const auditCount = async (runId: string): Promise<number> => {
    await t.chainAudit();
    const [{ count }] = (await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_logs WHERE resource_id = $1 AND action = 'workflow_run.cancel'
          AND outcome = 'success'`,
      [runId],
    )) as { count: number }[];
    return count;
  };

  it('cancels once when ten cancels arrive together: one 200, the others 409, one audit entry', async () => {
    const runId = await waitingRun();
    const answers = await Promise.all(Array.from({ length: 10 }, () => cancel(runId)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(409)]);
    const refused = answers.filter((a) => a.status === 409);
    for (const answer of refused)
      expect(answer.body.error).toMatchObject({
        code: 'INVALID_STATE',
        message: 'A cancelled run cannot be cancelled',
      });
    const won = answers.find((a) => a.status === 200)!.body.data as { status: string; steps: { status: string }[] };
    expect(won).toMatchObject({ status: 'cancelled', steps: [{ status: 'cancelled' }] });
    expect(await auditCount(runId)).toBe(1);
  });

  it('keeps a step whose task succeeded before the run heard of it: succeeded with its output, not run again on retry', async () => {
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await createWorkflow(t, op, {
      name: 'sum then gate',
      steps: [
        { id: 'sum', agentId: calc, input: { expression: '20 + 22' } },
        { id: 'gate', kind: 'approval' },
      ],
    });
    const { id: runId } = await startRun(t, op, workflowId);
    const stepState = async (stepId: string) =>
      (
        (await t.dataSource.query(`SELECT state FROM workflow_run_steps WHERE run_id = $1 AND step_id = $2`, [
          runId,
          stepId,
        ])) as { state: { status: string; taskId: string | null } }[]
      )[0].state;
    await waitFor(async () => (await stepState('sum')).status === 'succeeded', 15_000);
    // As a worker that died after its task's end and before the run took it in would leave it.
    await t.dataSource.query(
      `UPDATE workflow_run_steps SET state = jsonb_set(jsonb_set(state, '{status}', '"running"'), '{output}', 'null')
        WHERE run_id = $1 AND step_id = 'sum'`,
      [runId],
    );
    const cancelled = await cancel(runId).expect(200);
    const steps = cancelled.body.data.steps as { id: string; status: string; output: unknown }[];
    expect(steps.find((s) => s.id === 'sum')).toMatchObject({ status: 'succeeded', output: { result: 42 } });
    expect(steps.find((s) => s.id === 'gate')).toMatchObject({ status: 'cancelled' });

    await request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/retry`)
      .set(...bearer(op))
      .expect(202);
    const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM tasks WHERE run_id = $1`, [runId])) as {
      n: number;
    }[];
    expect(n).toBe(1);
    expect(await stepState('sum')).toMatchObject({ status: 'succeeded' });
  });

  it('stops every open step task with the run, in its transaction: none still queued starts once the cancel is in', async () => {
    const agent = (await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/step` }, concurrency: 100 }))
      .id;
    const steps = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, agentId: agent, input: {} }));
    const workflowId = await createWorkflow(t, op, { name: 'fan-out', steps });
    const { id: runId } = await startRun(t, op, workflowId);
    const attempts = async () =>
      (
        (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM task_attempts a JOIN tasks t ON t.id = a.task_id WHERE t.run_id = $1`,
          [runId],
        )) as { n: number }[]
      )[0].n;
    // Two run (the worker takes two at once), held at the remote end; 28 wait queued.
    await waitFor(async () => (await attempts()) === 2 || undefined, 15_000);

    const cancelled = await cancel(runId).expect(200);
    expect((cancelled.body.data.steps as { status: string }[]).every((s) => s.status === 'cancelled')).toBe(true);
    const statuses = (await t.dataSource.query(
      `SELECT status, count(*)::int AS n FROM tasks WHERE run_id = $1 GROUP BY status`,
      [runId],
    )) as { status: string; n: number }[];
    expect(statuses).toEqual([{ status: 'cancelled', n: 30 }]);
    // The two running ones are stopped; the worker takes the next jobs, whose tasks are cancelled already.
    await waitFor(async () => {
      const [{ n }] = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM task_attempts a JOIN tasks t ON t.id = a.task_id
          WHERE t.run_id = $1 AND a.finished_at IS NULL`,
        [runId],
      )) as { n: number }[];
      return n === 0 || undefined;
    }, 15_000);
    await waitFor(
      async () => ((await t.app.get(TaskQueue).queue.getJobCounts('wait', 'active')).wait === 0 ? true : undefined),
      15_000,
    );
    expect(await attempts()).toBe(2);
    await t.chainAudit();
    const [{ n: entries }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'task.cancel' AND resource_id IN
         (SELECT id::text FROM tasks WHERE run_id = $1)`,
      [runId],
    )) as { n: number }[];
    expect(entries).toBe(30);
  });
});
