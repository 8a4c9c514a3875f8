import request from 'supertest';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface RunView {
  id: string;
  createdBy: string;
  input: unknown;
  steps: { id: string; status: string; output: unknown; decision: { by: string | null } | null }[];
}

const SECRET = 'the-run-input-only-its-creator-reads';

describe('deciding an approval step of a run one may not read', () => {
  let t: TestApp;
  let op: TestUser;
  let viewer: TestUser;
  let admin: TestUser;
  let workflowId: string;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    viewer = await createUser(t, 'viewer');
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const steps = [
      { id: 'calc', agentId: calc, input: { expression: '6*7' } },
      { id: 'ok', kind: 'approval', dependsOn: ['calc'], permission: 'workflows:read' },
    ];
    workflowId = (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: 'delegated approval', steps })
        .expect(201)
    ).body.data.id as string;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A run of op's, waiting at its approval step once the step before it gave its output. */
  const waitingRun = async (): Promise<string> => {
    const runId = (
      await request(t.http)
        .post(`/api/v1/workflows/${workflowId}/runs`)
        .set(...bearer(op))
        .send({ input: { secret: SECRET } })
        .expect(202)
    ).body.data.id as string;
    await waitFor(async () => {
      const run = (
        await request(t.http)
          .get(`/api/v1/workflow-runs/${runId}`)
          .set(...bearer(op))
          .expect(200)
      ).body.data as RunView;
      return run.steps.find((s) => s.id === 'ok')?.status === 'waiting';
    }, 20_000);
    return runId;
  };
  const decide = (user: TestUser, runId: string, verb: 'approve' | 'reject', body: object = {}) =>
    request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/steps/ok/${verb}`)
      .set(...bearer(user))
      .send(body);

  it('tells a holder of the step’s permission their decision, and nothing of the run', async () => {
    const approved = await waitingRun();
    await request(t.http)
      .get(`/api/v1/workflow-runs/${approved}`)
      .set(...bearer(viewer))
      .expect(404);
    const res = await decide(viewer, approved, 'approve', { comment: 'fine' }).expect(200);
    expect(res.body.data).toEqual({
      runId: approved,
      step: {
        id: 'ok',
        status: 'succeeded',
        decision: { outcome: 'approved', by: viewer.id, at: expect.any(String), comment: 'fine' },
      },
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(JSON.stringify(res.body)).not.toContain(op.id);
    // Deciding again, once the run has ended, says the step waits no longer, not what became of the run.
    await waitFor(async () => {
      const [row] = await t.dataSource.query(`SELECT status FROM workflow_runs WHERE id = $1`, [approved]);
      return row.status !== 'running';
    }, 20_000);
    const again = await decide(viewer, approved, 'approve').expect(409);
    expect(again.body.error).toMatchObject({
      code: 'INVALID_STATE',
      message: 'Step "ok" is not waiting for a decision: its run has ended',
    });

    const rejected = await waitingRun();
    const refused = await decide(viewer, rejected, 'reject').expect(200);
    expect(refused.body.data).toEqual({
      runId: rejected,
      step: {
        id: 'ok',
        status: 'failed',
        decision: { outcome: 'rejected', by: viewer.id, at: expect.any(String), comment: null },
      },
    });
  });

  it('still answers the whole run to its creator and to admins', async () => {
    for (const user of [op, admin]) {
      const runId = await waitingRun();
      const run = (await decide(user, runId, 'approve').expect(200)).body.data as RunView;
      expect(run).toMatchObject({ id: runId, createdBy: op.id, input: { secret: SECRET } });
      expect(run.steps.find((s) => s.id === 'calc')?.output).toEqual({ result: 42 });
      expect(run.steps.find((s) => s.id === 'ok')?.decision?.by).toBe(user.id);
    }
  });
});
