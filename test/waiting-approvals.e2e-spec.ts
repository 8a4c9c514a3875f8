import request from 'supertest';
import { PERMISSIONS, type Permission } from '../src/auth/permissions';
import type { Principal } from '../src/auth/principal';
import { WorkflowRunEntity } from '../src/workflows/entities/workflow-run.entity';
import type { WaitingApproval } from '../src/workflows/persistence/waiting-approvals';
import { decisionAccess, seesRun, StepDecisions } from '../src/workflows/step-decisions';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** A listed step as it arrives over JSON. */
type Waiting = Omit<WaitingApproval, 'runCreatedAt'> & { runCreatedAt: string };

describe('GET /approvals: the approval steps waiting for the caller', () => {
  let t: TestApp;
  let creator: TestUser;
  let otherOperator: TestUser;
  let viewer: TestUser;
  let admin: TestUser;
  let workflowId: string;
  let runId: string;

  const waiting = async (user: TestUser): Promise<Waiting[]> =>
    (
      await request(t.http)
        .get('/api/v1/approvals')
        .set(...bearer(user))
        .expect(200)
    ).body.data as Waiting[];

  beforeAll(async () => {
    t = await createTestApp();
    creator = await createUser(t, 'operator');
    otherOperator = await createUser(t, 'operator');
    viewer = await createUser(t, 'viewer');
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    const calc = (await createAgent(t, creator, { type: 'calculator' })).id;
    const steps = [
      { id: 'calc', agentId: calc, input: { expression: '6*7' } },
      // Decided by holders of tasks:write: operators (the creator's colleague) and admins, not viewers.
      { id: 'delegated', kind: 'approval', dependsOn: ['calc'], permission: 'tasks:write', timeoutMs: 3_600_000 },
      // Decided by whoever may change the run: its creator, or an admin.
      { id: 'own', kind: 'approval', dependsOn: ['calc'] },
    ];
    workflowId = (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(creator))
        .send({ name: 'two approvals', steps })
        .expect(201)
    ).body.data.id as string;
    runId = (
      await request(t.http)
        .post(`/api/v1/workflows/${workflowId}/runs`)
        .set(...bearer(creator))
        .send({ input: { secret: 'only the creator reads this' } })
        .expect(202)
    ).body.data.id as string;
    await waitFor(async () => (await waiting(admin)).length === 2, 20_000);
  });
  afterAll(() => t?.close());

  it('lists each step to those who may decide it, with nothing of the run’s data', async () => {
    // The creator may change the run (its own step) and holds tasks:write (the delegated one).
    expect((await waiting(creator)).map((w) => [w.stepId, w.mayReadRun])).toEqual([
      ['delegated', true],
      ['own', true],
    ]);
    const theirs = await waiting(otherOperator);
    expect(theirs).toEqual([
      {
        runId,
        workflowId,
        workflowName: 'two approvals',
        stepId: 'delegated',
        permission: 'tasks:write',
        approvalDeadline: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        runCreatedAt: expect.any(String),
        mayReadRun: false,
      },
    ]);
    expect(JSON.stringify(theirs)).not.toContain('only the creator reads this');
    expect(await waiting(viewer)).toEqual([]);
    const all = await waiting(admin);
    expect(all.map((w) => [w.stepId, w.permission])).toEqual([
      ['delegated', 'tasks:write'],
      ['own', null],
    ]);
    await request(t.http).get('/api/v1/approvals').expect(401);
    await request(t.http)
      .get('/api/v1/approvals?limit=0')
      .set(...bearer(admin))
      .expect(400);
  });

  it('is where a decider who may not read the run finds what to decide; a decided step leaves every list', async () => {
    const [step] = await waiting(otherOperator);
    await request(t.http)
      .get(`/api/v1/workflow-runs/${step.runId}`)
      .set(...bearer(otherOperator))
      .expect(404);
    await request(t.http)
      .post(`/api/v1/workflow-runs/${step.runId}/steps/${step.stepId}/approve`)
      .set(...bearer(otherOperator))
      .send({ comment: 'seen from my list' })
      .expect(200);
    expect(await waiting(otherOperator)).toEqual([]);
    expect((await waiting(creator)).map((w) => w.stepId)).toEqual(['own']);
    await request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/steps/own/reject`)
      .set(...bearer(creator))
      .send({})
      .expect(200);
    expect(await waiting(admin)).toEqual([]);
    const page = await request(t.http)
      .get('/api/v1/approvals')
      .set(...bearer(admin))
      .expect(200);
    expect(page.body.meta).toMatchObject({ total: 0, skip: 0, limit: 50 });
  });

  it('lists exactly the steps a decision would allow, by the same rule as deciding (principals × steps)', async () => {
    // Approval steps naming each kind of permission, on a run of the creator's and one of the admin's.
    const steps = [undefined, 'tasks:write', 'workflows:write', 'users:manage'].map((permission, i) => ({
      id: `a${i}`,
      kind: 'approval',
      ...(permission ? { permission } : {}),
    }));
    const runOf = async (user: TestUser): Promise<WorkflowRunEntity> => {
      const wf = await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(user))
        .send({ name: `matrix ${user.email}`, steps })
        .expect(201);
      const run = await request(t.http)
        .post(`/api/v1/workflows/${wf.body.data.id as string}/runs`)
        .set(...bearer(user))
        .send({})
        .expect(202);
      return t.dataSource.getRepository(WorkflowRunEntity).findOneByOrFail({ id: run.body.data.id as string });
    };
    const runs = [await runOf(creator), await runOf(admin)];
    const mine = new Set(runs.map((r) => r.id));
    const decisions = t.app.get(StepDecisions);
    const listedTo = async (p: Principal): Promise<WaitingApproval[]> =>
      (await decisions.waitingFor(p, 0, 100)).items.filter((w) => mine.has(w.runId));
    const principal = (user: TestUser, role: Principal['role'], type: Principal['type'], perms: Permission[]) =>
      ({ type, role, userId: user.id, email: user.email, permissions: new Set(perms) }) as Principal;
    const principals = [
      principal(admin, 'admin', 'user', [...PERMISSIONS]),
      // An admin's API key is not an admin: it acts within its scopes, on its user's own runs.
      principal(admin, 'admin', 'apiKey', ['workflows:read', 'workflows:write']),
      principal(creator, 'operator', 'user', ['workflows:read', 'workflows:write', 'tasks:write']),
      principal(creator, 'operator', 'apiKey', ['workflows:read', 'tasks:write']),
      principal(creator, 'operator', 'apiKey', ['workflows:read']),
      principal(otherOperator, 'operator', 'user', ['workflows:read', 'workflows:write', 'tasks:write']),
      principal(viewer, 'viewer', 'user', ['workflows:read']),
    ];
    await waitFor(async () => (await listedTo(principals[0])).length === 8, 20_000);
    const outcomes = new Set<string>();
    const readable = new Set<boolean>();
    for (const p of principals) {
      const expected = runs.flatMap((run) =>
        run.definition
          .filter((step) => {
            const access = decisionAccess(p, run, step);
            outcomes.add(access);
            return access === 'allowed';
          })
          .map((step) => `${run.id}/${step.id}`),
      );
      const listed = await listedTo(p);
      const who = `${p.type} ${p.email} [${[...p.permissions].join(' ')}]`;
      expect([who, listed.map((w) => `${w.runId}/${w.stepId}`).sort()]).toEqual([who, expected.sort()]);
      for (const w of listed) {
        readable.add(w.mayReadRun);
        expect([who, w.runId, w.mayReadRun]).toEqual([
          who,
          w.runId,
          seesRun(
            p,
            runs.find((r) => r.id === w.runId)!,
          ),
        ]);
      }
    }
    // The table holds every outcome, so the comparison means something.
    expect([...outcomes].sort()).toEqual(['allowed', 'forbidden', 'hidden']);
    expect([...readable].sort()).toEqual([false, true]);
  });
});
