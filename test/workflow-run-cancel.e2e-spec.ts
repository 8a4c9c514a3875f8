import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { waitFor } from './utils/wait-for';
import { createWorkflow, startRun } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';

/** Cancels sent together: the run's state is checked and changed at once, so only one of them cancels it. */
describe('cancelling a workflow run', () => {
  let t: TestApp;
  let op: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
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
});
