import request from 'supertest';
import { TriggerQueue } from '../src/workflows/triggers/trigger-queue';
import { TriggerStarter } from '../src/workflows/triggers/trigger-starter';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser, updateUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface RunRow {
  id: string;
  idempotency_key: string;
  trigger_depth: number;
  input: { event: string; task?: { id: string; status: string }; run?: { id: string; status: string } };
}

describe('workflow triggers', () => {
  let t: TestApp;
  let op: TestUser;
  /** The agents watched by triggers, and the one the triggered workflows' steps run on. */
  let watched: string;
  let other: string;
  let steps: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { TRIGGER_RECONCILE_INTERVAL_MS: '1000' } });
    op = await createUser(t, 'operator');
    watched = (await createAgent(t, op, { type: 'calculator' })).id;
    other = (await createAgent(t, op, { type: 'calculator' })).id;
    steps = (await createAgent(t, op, { type: 'calculator' })).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function define(triggers: object[], stepAgent = steps, expression = '1+1'): Promise<string> {
    const res = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: 'triggered', steps: [{ id: 'a', agentId: stepAgent, input: { expression } }], triggers })
      .expect(201);
    return res.body.data.id;
  }

  const runsOf = (workflowId: string): Promise<RunRow[]> =>
    t.dataSource.query(
      `SELECT id, idempotency_key, trigger_depth, input FROM workflow_runs WHERE workflow_id = $1 ORDER BY created_at`,
      [workflowId],
    );

  /** Waits for the chain's start past the depth limit to be refused; the runs it made are one a level. */
  async function expectStoppedAtDepthLimit(workflowId: string): Promise<void> {
    await waitFor(async () => {
      await t.chainAudit();
      const [refused] = await t.dataSource.query(
        `SELECT details FROM audit_logs WHERE action = 'workflow.trigger' AND outcome = 'failure' AND resource_id = $1`,
        [workflowId],
      );
      return refused;
    }, 60_000);
    const runs = await runsOf(workflowId);
    expect(runs.map((r) => r.trigger_depth)).toEqual([1, 2, 3, 4, 5]);
  }

  async function finishedTask(agentId: string, expression: string): Promise<string> {
    const task = await submitTask(t, op, { agentId, input: { expression }, maxAttempts: 1 });
    await settled(t, op, task.id);
    return task.id;
  }

  it('validates triggers: run events need a workflow, never the workflow itself; named things exist', async () => {
    const bad = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [{ id: 'a', agentId: steps, input: { expression: '1' } }],
        triggers: [{ on: 'run.failed' }, { on: 'task.nope' }],
      })
      .expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/triggers/1/on']);
    const semantic = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [{ id: 'a', agentId: steps, input: { expression: '1' } }],
        triggers: [{ on: 'run.failed' }, { on: 'task.failed', workflowId: steps }, { on: 'run.failed' }],
      })
      .expect(400);
    expect(semantic.body.error.details).toEqual([
      { field: '/triggers/0/workflowId', message: 'run events need workflowId' },
      { field: '/triggers/1/workflowId', message: 'only run events take workflowId' },
      { field: '/triggers/2/workflowId', message: 'run events need workflowId' },
      { field: '/triggers/2', message: 'duplicates trigger 0' },
    ]);
    const unknown = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [{ id: 'a', agentId: steps, input: { expression: '1' } }],
        triggers: [{ on: 'task.failed', agentId: op.id }],
      })
      .expect(400);
    expect(unknown.body.error.details).toEqual([{ field: '/triggers/0/agentId', message: 'no agent with this id' }]);
    const id = await define([]);
    const self = await request(t.http)
      .patch(`/api/v1/workflows/${id}`)
      .set(...bearer(op))
      .send({ triggers: [{ on: 'run.succeeded', workflowId: id }] })
      .expect(400);
    expect(self.body.error.details).toEqual([
      { field: '/triggers/0/workflowId', message: 'a workflow cannot be triggered by its own runs' },
    ]);
  });

  it('starts the workflow once when a task of the watched agent fails, with the task as the API shows it', async () => {
    const workflowId = await define([{ on: 'task.failed', agentId: watched }]);
    const shown = await request(t.http)
      .get(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .expect(200);
    expect(shown.body.data.triggers).toEqual([{ on: 'task.failed', agentId: watched }]);
    await finishedTask(watched, '1+1');
    await finishedTask(other, '1/0');
    const failed = await finishedTask(watched, '1/0');
    const [run] = await waitFor(async () => {
      const runs = await runsOf(workflowId);
      return runs.length ? runs : undefined;
    });
    expect(run.idempotency_key).toBe(`trigger:${workflowId}:task.failed:${failed}`);
    expect(run.trigger_depth).toBe(1);
    const task = await request(t.http)
      .get(`/api/v1/tasks/${failed}`)
      .set(...bearer(op))
      .expect(200);
    expect(run.input).toEqual({ event: 'task.failed', task: JSON.parse(JSON.stringify(task.body.data)) });
    // Several reconciler passes later, still the one run.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await runsOf(workflowId)).toHaveLength(1);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT actor_type AS "actorType", details FROM audit_logs WHERE action = 'workflow.run' AND resource_id = $1`,
      [run.id],
    );
    expect(entry).toEqual({
      actorType: 'system',
      details: { workflowId, tags: [], createdBy: op.id, trigger: { event: 'task.failed', taskId: failed } },
    });
  });

  it('starts a workflow when a run of another one succeeds', async () => {
    const upstream = await define([]);
    const downstream = await define([{ on: 'run.succeeded', workflowId: upstream }]);
    const started = await request(t.http)
      .post(`/api/v1/workflows/${upstream}/runs`)
      .set(...bearer(op))
      .send({ input: {} })
      .expect(202);
    const [run] = await waitFor(async () => {
      const runs = await runsOf(downstream);
      return runs.length ? runs : undefined;
    }, 20_000);
    expect(run.idempotency_key).toBe(`trigger:${downstream}:run.succeeded:${started.body.data.id}`);
    expect(run.input).toEqual(
      expect.objectContaining({
        event: 'run.succeeded',
        run: expect.objectContaining({ id: started.body.data.id, status: 'succeeded' }),
      }),
    );
  });

  it('stops a workflow that triggers itself through its own failing steps at the depth limit', async () => {
    const loopAgent = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflowId = await define([{ on: 'task.failed', agentId: loopAgent }], loopAgent, '1/0');
    await finishedTask(loopAgent, '1/0');
    await expectStoppedAtDepthLimit(workflowId);
  });

  it('grows a chain by one run a level however many of its steps raise the event: 3 steps, 5 runs, not 121', async () => {
    const loopAgent = (await createAgent(t, op, { type: 'calculator' })).id;
    const step = (id: string) => ({ id, agentId: loopAgent, input: { expression: '1' } });
    const res = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'wide loop',
        steps: [step('a'), step('b'), step('c')],
        triggers: [{ on: 'task.succeeded', agentId: loopAgent }],
      })
      .expect(201);
    const workflowId = res.body.data.id as string;
    await finishedTask(loopAgent, '1');
    await expectStoppedAtDepthLimit(workflowId);
  });

  it("starts nothing while the workflow's creator is deactivated", async () => {
    const admin = await createUser(t, 'admin');
    const owner = await createUser(t, 'operator');
    const agentId = (await createAgent(t, owner, { type: 'calculator' })).id;
    const workflowId = (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(owner))
        .send({
          name: 'owned',
          steps: [{ id: 'a', agentId, input: { expression: '1' } }],
          triggers: [{ on: 'task.succeeded', agentId }],
        })
        .expect(201)
    ).body.data.id as string;
    const queue = t.app.get(TriggerQueue).queue;
    await queue.pause();
    try {
      const task = await submitTask(t, owner, { agentId, input: { expression: '2' } });
      await settled(t, owner, task.id);
      await updateUser(t, admin, owner.id, { isActive: false });
      await expect(
        t.app.get(TriggerStarter).start({ workflowId, event: 'task.succeeded', sourceId: task.id }),
      ).resolves.toBe('failed');
    } finally {
      await queue.resume();
    }
    // The queued start and the reconciler's passes start nothing either.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await runsOf(workflowId)).toEqual([]);
  });

  it('starts a lost trigger start exactly once: the reconciler queues it again', async () => {
    const workflowId = await define([{ on: 'task.succeeded', agentId: other }]);
    const queue = t.app.get(TriggerQueue).queue;
    await queue.pause();
    const taskId = await finishedTask(other, '2*3');
    const jobId = `trigger/${workflowId}/task.succeeded/${taskId}`;
    await waitFor(async () => (await queue.getJob(jobId)) ?? undefined);
    // Redis loses the start before any worker took it.
    await queue.obliterate({ force: true });
    expect(await queue.getJob(jobId)).toBeUndefined();
    await queue.resume();
    const [run] = await waitFor(async () => {
      const runs = await runsOf(workflowId);
      return runs.length ? runs : undefined;
    }, 20_000);
    expect(run.idempotency_key).toBe(`trigger:${workflowId}:task.succeeded:${taskId}`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await runsOf(workflowId)).toHaveLength(1);
  });
  it("queues a triggered run's first step at once, its input rendered from the event", async () => {
    const res = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'templated',
        steps: [{ id: 'a', agentId: steps, input: { expression: '{{ $string(input.task.output.result) & "+1" }}' } }],
        triggers: [{ on: 'task.succeeded', agentId: watched }],
      })
      .expect(201);
    const workflowId = res.body.data.id;
    await finishedTask(watched, '20+1');
    // Well before the sweep (30 s) would look at it.
    const taskId = await waitFor(async () => {
      const [run] = await runsOf(workflowId);
      if (!run) return undefined;
      const shown = await request(t.http)
        .get(`/api/v1/workflow-runs/${run.id}`)
        .set(...bearer(op))
        .expect(200);
      return (shown.body.data.steps as { id: string; taskId: string | null }[])[0].taskId ?? undefined;
    }, 8_000);
    expect((await settled(t, op, taskId)).output).toEqual({ result: 22 });
  });
});
