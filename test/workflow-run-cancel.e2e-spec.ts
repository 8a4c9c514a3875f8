import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
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
});
