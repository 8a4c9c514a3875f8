import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { json, LoopbackServer } from './utils/loopback-server';
import { createWorkflow } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';
import { readSse } from './utils/sse';
import { waitFor } from './utils/wait-for';

interface RunView {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  workflowVersion: number;
  steps: {
    id: string;
    status: string;
    taskId: string | null;
    output: unknown;
    error: { code: string; message: string } | null;
  }[];
}

describe('workflows', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let remoteAgent: string;
  const remote = new LoopbackServer();
  let inFlight = 0;
  let peak = 0;

  beforeAll(async () => {
    const url = await remote.start();
    remote.handler = (req, res) => {
      const body = JSON.parse(req.body) as { input: { value?: number } };
      const delay = req.url === '/slow' ? 10_000 : 300;
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        const value = body.input.value ?? 0;
        json(res, 200, { value: req.url === '/times-ten' ? value * 10 : value + 1 });
      }, delay);
    };
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '4' } });
    op = await createUser(t, 'operator');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    remoteAgent = (await createAgent(t, op, { type: 'http', config: { url: `${url}/plus-one` }, concurrency: 4 })).id;
    const timesTen = (await createAgent(t, op, { type: 'http', config: { url: `${url}/times-ten` }, concurrency: 4 }))
      .id;
    const slow = (await createAgent(t, op, { type: 'http', config: { url: `${url}/slow` } })).id;
    Object.assign(agents, { timesTen, slow });
  });
  const agents: { timesTen?: string; slow?: string } = {};
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });

  const define = async (steps: object[], user = op) =>
    (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(user))
        .send({ name: 'wf', steps })
        .expect(201)
    ).body.data as { id: string };
  const start = async (workflowId: string, input: object, user = op) =>
    (
      await request(t.http)
        .post(`/api/v1/workflows/${workflowId}/runs`)
        .set(...bearer(user))
        .send({ input })
        .expect(202)
    ).body.data as RunView;
  const finished = (runId: string, user = op) =>
    waitFor(async () => {
      const run = (
        await request(t.http)
          .get(`/api/v1/workflow-runs/${runId}`)
          .set(...bearer(user))
      ).body.data as RunView;
      return run.status !== 'running' ? run : undefined;
    }, 20_000);
  const stepOf = (run: RunView, id: string) => run.steps.find((s) => s.id === id)!;

  it('runs a diamond, passing data through templates and running the middle steps in parallel', async () => {
    peak = 0;
    const wf = await define([
      { id: 'a', agentId: calc, input: { expression: 'x * 2', variables: { x: '{{ input.x }}' } } },
      { id: 'b', agentId: remoteAgent, input: { value: '{{ steps.a.output.result }}' }, dependsOn: ['a'] },
      { id: 'c', agentId: agents.timesTen, input: { value: '{{ steps.a.output.result }}' }, dependsOn: ['a'] },
      {
        id: 'd',
        agentId: calc,
        input: { expression: 'b + c', variables: { b: '{{ steps.b.output.value }}', c: '{{ steps.c.output.value }}' } },
        dependsOn: ['b', 'c'],
      },
    ]);
    const run = await start(wf.id, { x: 5 });
    expect(run.status).toBe('running');
    expect(stepOf(run, 'a').status).toBe('queued');
    expect(stepOf(run, 'b').status).toBe('pending');
    const done = await finished(run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => [s.id, s.status, s.output])).toEqual([
      ['a', 'succeeded', { result: 10 }],
      ['b', 'succeeded', { value: 11 }],
      ['c', 'succeeded', { value: 100 }],
      ['d', 'succeeded', { result: 111 }],
    ]);
    expect(done.output).toEqual({ d: { result: 111 } });
    expect(peak).toBe(2);
    const [b, c] = await Promise.all(
      ['b', 'c'].map(
        async (id) =>
          (
            await request(t.http)
              .get(`/api/v1/tasks/${stepOf(done, id).taskId}`)
              .set(...bearer(op))
          ).body.data,
      ),
    );
    expect(Date.parse(b.startedAt)).toBeLessThan(Date.parse(c.finishedAt));
    expect(Date.parse(c.startedAt)).toBeLessThan(Date.parse(b.finishedAt));
    // Each step's task was stored with its audit entry, written by the platform for the run: `a` and `d` alone,
    // `b` and `c` (started together) in one entry naming both.
    const created = await waitFor(async () => {
      const rows = (await t.dataSource.query(
        `SELECT action, resource_id AS task, actor_type AS actor, details FROM audit_logs
          WHERE action IN ('task.create', 'task.batch_create') AND details->>'runId' = $1 ORDER BY seq`,
        [run.id],
      )) as {
        action: string;
        task: string | null;
        actor: string;
        details: { stepId?: string; ids?: string[]; stepIds?: string[] };
      }[];
      return rows.length === 3 && rows;
    });
    expect(created.map((r) => [r.action, r.actor])).toEqual([
      ['task.create', 'system'],
      ['task.batch_create', 'system'],
      ['task.create', 'system'],
    ]);
    const named = created.flatMap((r) =>
      r.action === 'task.create'
        ? [{ task: r.task, step: r.details.stepId }]
        : r.details.ids!.map((task, i) => ({ task, step: r.details.stepIds![i] })),
    );
    expect(named.sort((x, y) => x.step!.localeCompare(y.step!))).toEqual(
      done.steps.map((s) => ({ task: s.taskId, step: s.id })),
    );
  });

  it('skips a branch whose condition does not hold, and what depends on it', async () => {
    const wf = await define([
      { id: 'a', agentId: calc, input: { expression: '3' } },
      {
        id: 'big',
        agentId: calc,
        input: { expression: '1' },
        dependsOn: ['a'],
        when: { field: 'steps.a.output.result', op: 'gt', value: 100 },
      },
      { id: 'after', agentId: calc, input: { expression: '2' }, dependsOn: ['big'] },
      {
        id: 'small',
        agentId: calc,
        input: { expression: '4' },
        dependsOn: ['a'],
        when: { field: 'steps.a.output.result', op: 'lte', value: 100 },
      },
    ]);
    const done = await finished((await start(wf.id, {})).id);
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ['a', 'succeeded'],
      ['big', 'skipped'],
      ['after', 'skipped'],
      ['small', 'succeeded'],
    ]);
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ small: { result: 4 } });
  });

  it('fails the run when a step fails, unless that step may continue on failure', async () => {
    const failing = await define([
      { id: 'a', agentId: calc, input: { expression: '1 / 0' } },
      { id: 'b', agentId: calc, input: { expression: '1' }, dependsOn: ['a'] },
    ]);
    const failed = await finished((await start(failing.id, {})).id);
    expect(failed.status).toBe('failed');
    expect(stepOf(failed, 'a')).toEqual(
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'DIVISION_BY_ZERO' }) }),
    );
    expect(stepOf(failed, 'b').status).toBe('skipped');

    const tolerant = await define([
      { id: 'a', agentId: calc, input: { expression: '1 / 0' }, continueOnFailure: true },
      {
        id: 'b2',
        agentId: calc,
        input: { expression: '{{ steps.a.status = "failed" ? "7" : "0" }}' },
        dependsOn: ['a'],
      },
    ]);
    const carried = await finished((await start(tolerant.id, {})).id);
    expect(carried.status).toBe('succeeded');
    expect(stepOf(carried, 'a').status).toBe('failed');
    expect(stepOf(carried, 'b2')).toEqual(expect.objectContaining({ status: 'succeeded', output: { result: 7 } }));
  });

  it('fails a step whose template cannot be evaluated, with a clear message', async () => {
    const wf = await define([{ id: 'a', agentId: calc, input: { expression: '{{ $string($number(input.x)) }}' } }]);
    const done = await finished((await start(wf.id, { x: 'not a number' })).id);
    expect(done.status).toBe('failed');
    expect(stepOf(done, 'a').error).toEqual({
      code: 'TEMPLATE_ERROR',
      message: expect.stringContaining('/expression'),
    });
  });

  it('rejects duplicate ids, unknown agents and dependencies, and names a cycle', async () => {
    const res = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [
          { id: 'a', agentId: calc, input: {}, dependsOn: ['c'] },
          { id: 'b', agentId: calc, input: {}, dependsOn: ['a'] },
          { id: 'c', agentId: calc, input: {}, dependsOn: ['b'] },
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
          { id: 'a', agentId: calc, input: {} },
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
    await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(await createUser(t, 'viewer')))
      .send({ name: 'x', steps: [] })
      .expect(403);
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

  it('cancels a run mid-way: its running step is aborted and the rest never start', async () => {
    const wf = await define([
      { id: 'slow', agentId: agents.slow, input: {} },
      { id: 'next', agentId: calc, input: { expression: '1' }, dependsOn: ['slow'] },
    ]);
    const run = await start(wf.id, {});
    const slowTask = stepOf(run, 'slow').taskId!;
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get(`/api/v1/tasks/${slowTask}`)
            .set(...bearer(op))
        ).body.data.status === 'running',
    );
    const cancelled = (
      await request(t.http)
        .post(`/api/v1/workflow-runs/${run.id}/cancel`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    // The run's entry and its step's, both for the caller who cancelled.
    const entries = await waitFor(async () => {
      const rows = (await t.dataSource.query(
        `SELECT action, resource_id AS id, actor_id AS actor FROM audit_logs
          WHERE action IN ('workflow_run.cancel', 'task.cancel') AND resource_id IN ($1, $2) ORDER BY action`,
        [run.id, slowTask],
      )) as { action: string; id: string; actor: string }[];
      return rows.length === 2 && rows;
    });
    expect(entries).toEqual([
      { action: 'task.cancel', id: slowTask, actor: op.id },
      { action: 'workflow_run.cancel', id: run.id, actor: op.id },
    ]);
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get(`/api/v1/tasks/${slowTask}`)
            .set(...bearer(op))
        ).body.data.status === 'cancelled',
      2000,
    );
    await request(t.http)
      .post(`/api/v1/workflow-runs/${run.id}/cancel`)
      .set(...bearer(op))
      .expect(409);
    const after = (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${run.id}`)
        .set(...bearer(op))
    ).body.data as RunView;
    expect(stepOf(after, 'next').taskId).toBeNull();
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

  it('streams run changes as Server-Sent Events until the run ends', async () => {
    const wf = await define([
      { id: 'a', agentId: remoteAgent, input: { value: 1 } },
      {
        id: 'b',
        agentId: calc,
        input: { expression: 'v', variables: { v: '{{ steps.a.output.value }}' } },
        dependsOn: ['a'],
      },
    ]);
    const run = await start(wf.id, {});
    const { events } = await readSse(t.http, `/api/v1/workflow-runs/${run.id}/events`, bearer(op));
    expect(events.every((e) => e.type === 'run')).toBe(true);
    expect(events[events.length - 1].data.status).toBe('succeeded');
  });
});
