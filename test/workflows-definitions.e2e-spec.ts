import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, type RunView, workflowTestBed } from './factories/workflows';
import type { TestApp } from './utils/test-app';

describe('workflows', () => {
  const bed = workflowTestBed();
  const { define, start, finished } = bed;
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => ({ t, op, calc } = await bed.setUp()));
  afterAll(() => bed.tearDown());

  it('rejects duplicate ids, unknown agents and dependencies, and names a cycle', async () => {
    const res = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [
          { id: 'a', agentId: calc, input: { expression: '1' }, dependsOn: ['c'] },
          { id: 'b', agentId: calc, input: { expression: '1' }, dependsOn: ['a'] },
          { id: 'c', agentId: calc, input: { expression: '1' }, dependsOn: ['b'] },
        ],
      })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([
      {
        field: expect.stringMatching(/^\/steps\/\d\/dependsOn$/),
        message: expect.stringMatching(/^dependency cycle: (\w) → \w → \w → \1$/),
      },
    ]);
    const other = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [
          { id: 'a', agentId: calc, input: { expression: '1' } },
          {
            id: 'a',
            agentId: '00000000-0000-4000-8000-000000000000',
            input: {},
            dependsOn: ['nope'],
            when: { field: 'x', op: 'like' },
          },
        ],
      })
      .expect(400);
    expect(other.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['/steps/1/id', '/steps/1/agentId', '/steps/1/dependsOn/0', '/steps/1/when']),
    );
    // A template or condition reading a step the workflow does not have.
    const unread = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad reads',
        steps: [
          { id: 'a', agentId: calc, input: { expression: '1' } },
          {
            id: 'b',
            agentId: calc,
            input: { expression: '{{ steps.nope.output.result }}', n: '{{ steps.a.output.result }}' },
            when: { field: 'steps.gone.status', op: 'eq', value: 'succeeded' },
            dependsOn: ['a'],
          },
        ],
      })
      .expect(400);
    expect(unread.body.error.details).toEqual([
      { field: '/steps/1/input', message: 'reads steps.nope: no step "nope"' },
      { field: '/steps/1/when', message: 'reads steps.gone: no step "gone"' },
    ]);
    await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(await createUser(t, 'viewer')))
      .send({ name: 'x', steps: [] })
      .expect(403);
  });

  it("refuses a step's input without templates that its agent would refuse, and leaves templated ones to the run", async () => {
    const save = (input: unknown) =>
      request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({
          name: `literal-${Math.random()}`,
          steps: [
            { id: 'first', agentId: calc, input: { expression: '1' } },
            { id: 'second', agentId: calc, input, dependsOn: ['first'] },
          ],
        });
    const refused = await save({ nope: 1 }).expect(400);
    expect(refused.body.error.details).toEqual(
      expect.arrayContaining([{ field: '/steps/1/input/expression', message: expect.any(String) }]),
    );
    await save({ expression: '{{ steps.first.output.result }} + 1' }).expect(201);
    await save({ expression: '2 * 3' }).expect(201);
  });

  it('refuses to start a run that would reach a step whose agent was deleted since: 409, nothing run', async () => {
    const doomed = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await createWorkflow(t, op, {
      steps: [
        { id: 'first', agentId: calc, input: { expression: '1' } },
        { id: 'second', agentId: doomed, input: { expression: '2' }, dependsOn: ['first'] },
        { id: 'third', agentId: doomed, input: { expression: '3' }, dependsOn: ['first'] },
      ],
    });
    const shown = async () =>
      (
        await request(t.http)
          .get(`/api/v1/workflows/${workflowId}`)
          .set(...bearer(op))
          .expect(200)
      ).body.data.stepsWithDeletedAgent;
    expect(await shown()).toEqual([]);
    await request(t.http)
      .delete(`/api/v1/agents/${doomed}`)
      .set(...bearer(op))
      .expect(204);
    expect(await shown()).toEqual(['second', 'third']);
    const res = await request(t.http)
      .post(`/api/v1/workflows/${workflowId}/runs`)
      .set(...bearer(op))
      .send({})
      .expect(409);
    expect(res.body.error).toMatchObject({
      code: 'CONFLICT',
      message: 'The agent of steps second, third has been deleted: change the workflow before running it',
    });
    const [{ runs }] = await t.dataSource.query(
      `SELECT count(*)::int AS runs FROM workflow_runs WHERE workflow_id = $1`,
      [workflowId],
    );
    expect(runs).toBe(0);
  });

  it('takes a workflow back as it was read: a description of null is none, and a PATCH of null clears one', async () => {
    const steps = [{ id: 'a', agentId: calc, input: { expression: '1' } }];
    const made = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: 'described', description: 'first', steps })
      .expect(201);
    const read = await request(t.http)
      .get(`/api/v1/workflows/${made.body.data.id}`)
      .set(...bearer(op))
      .expect(200);
    const cleared = await request(t.http)
      .patch(`/api/v1/workflows/${made.body.data.id}`)
      .set(...bearer(op))
      .send({ description: null })
      .expect(200);
    expect(cleared.body.data.description).toBeNull();
    const { name, description, steps: readSteps } = { ...read.body.data, description: null };
    const copy = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: `${name} copy`, description, steps: readSteps })
      .expect(201);
    expect(copy.body.data.description).toBeNull();
    const [row] = await t.dataSource.query(`SELECT description FROM workflows WHERE id = $1`, [made.body.data.id]);
    expect(row.description).toBeNull();
  });

  it('lists a definition over the bound without its steps, counted and flagged; the workflow itself has them', async () => {
    // Forty steps of about 2 KB of input each: over the 64 KiB a list shows.
    const steps = Array.from({ length: 40 }, (_, i) => ({
      id: `s${i}`,
      agentId: calc,
      input: { expression: `1${'+1'.repeat(990)}` },
    }));
    const big = await createWorkflow(t, op, { name: `big-${Date.now()}`, steps });
    const small = await createWorkflow(t, op, { steps: [{ id: 'only', agentId: calc, input: { expression: '2' } }] });
    const listed = await request(t.http)
      .get('/api/v1/workflows?limit=50')
      .set(...bearer(op))
      .expect(200);
    const items = listed.body.data as {
      id: string;
      steps: unknown[] | null;
      stepCount: number;
      stepsOmitted: boolean;
    }[];
    expect(items.find((w) => w.id === big)).toMatchObject({ steps: null, stepCount: 40, stepsOmitted: true });
    expect(items.find((w) => w.id === small)).toMatchObject({ stepCount: 1, stepsOmitted: false });
    expect(items.find((w) => w.id === small)?.steps).toHaveLength(1);
    const whole = await request(t.http)
      .get(`/api/v1/workflows/${big}`)
      .set(...bearer(op))
      .expect(200);
    expect(whole.body.data.steps).toHaveLength(40);
  });

  it('starts a run sent with no body at all, as one with an empty body: no input, no tags', async () => {
    const wf = await define([{ id: 'a', agentId: calc, input: { expression: '2 + 2' } }]);
    const res = await request(t.http)
      .post(`/api/v1/workflows/${wf.id}/runs`)
      .set(...bearer(op))
      .expect(202);
    expect(res.body.data).toMatchObject({ workflowId: wf.id, input: {}, tags: [] });
    expect((await finished(res.body.data.id)).status).toBe('succeeded');
  });

  it('keeps the definition a run started with when the workflow changes, and hides runs from other users', async () => {
    const wf = await define([{ id: 'a', agentId: calc, input: { expression: '1 + 1' } }]);
    const run = await start(wf.id, {});
    const changed = await request(t.http)
      .patch(`/api/v1/workflows/${wf.id}`)
      .set(...bearer(op))
      .send({ steps: [{ id: 'z', agentId: calc, input: { expression: '9' } }] })
      .expect(200);
    expect(changed.body.data.version).toBe(2);
    const done = await finished(run.id);
    expect(done.workflowVersion).toBe(1);
    expect(done.steps.map((s) => s.id)).toEqual(['a']);
    const stranger = await createUser(t, 'operator');
    await request(t.http)
      .get(`/api/v1/workflow-runs/${run.id}`)
      .set(...bearer(stranger))
      .expect(404);
    await request(t.http)
      .post(`/api/v1/workflow-runs/${run.id}/cancel`)
      .set(...bearer(stranger))
      .expect(404);
    const theirs = await request(t.http)
      .get(`/api/v1/workflows/${wf.id}/runs`)
      .set(...bearer(stranger))
      .expect(200);
    expect(theirs.body.data).toEqual([]);
    const mine = await request(t.http)
      .get(`/api/v1/workflows/${wf.id}/runs`)
      .set(...bearer(op))
      .expect(200);
    expect(mine.body.data.map((r: RunView) => r.id)).toEqual([run.id]);
  });

  it('makes one version of the same new steps sent several times at once', async () => {
    const wf = await define([{ id: 'a', agentId: calc, input: { expression: '1' } }]);
    const steps = [{ id: 'b', agentId: calc, input: { expression: '2' } }];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        request(t.http)
          .patch(`/api/v1/workflows/${wf.id}`)
          .set(...bearer(op))
          .send({ steps }),
      ),
    );
    expect(answers.map((a) => [a.status, a.body.data.version])).toEqual(Array(5).fill([200, 2]));
    const [{ version }] = await t.dataSource.query(`SELECT version FROM workflows WHERE id = $1`, [wf.id]);
    expect(version).toBe(2);
  });

  it('starts no run once its workflow is deleted, even one asked at the same moment', async () => {
    const wf = await define([{ id: 'a', agentId: calc, input: { expression: '1' } }]);
    const runs = Array.from({ length: 8 }, () =>
      request(t.http)
        .post(`/api/v1/workflows/${wf.id}/runs`)
        .set(...bearer(op))
        .send({}),
    );
    const deletion = request(t.http)
      .delete(`/api/v1/workflows/${wf.id}`)
      .set(...bearer(op));
    const [deleted, ...answers] = await Promise.all([deletion, ...runs]);
    expect(deleted.status).toBe(204);
    for (const answer of answers) expect([202, 404]).toContain(answer.status);
    // Every run made was made before the deletion: none after it.
    const late = await t.dataSource.query(
      `SELECT r.id FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
       WHERE r.workflow_id = $1 AND r.created_at >= w.deleted_at`,
      [wf.id],
    );
    expect(late).toEqual([]);
    const made = answers.filter((a) => a.status === 202).length;
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_runs WHERE workflow_id = $1`, [
      wf.id,
    ]);
    expect(n).toBe(made);
  });
});
