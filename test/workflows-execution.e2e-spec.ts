import request from 'supertest';
import { bearer, type TestUser } from './factories/users';
import { type RunView, stepOf, workflowTestBed } from './factories/workflows';
import type { TestApp } from './utils/test-app';
import { readSse } from './utils/sse';
import { waitFor } from './utils/wait-for';

describe('workflows', () => {
  let peak = 0;
  const bed = workflowTestBed((inFlight) => (peak = Math.max(peak, inFlight)));
  const { agents, define, start, finished } = bed;
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let remoteAgent: string;

  beforeAll(async () => ({ t, op, calc, remoteAgent } = await bed.setUp()));
  afterAll(() => bed.tearDown());

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
    // Retried, it fails again at once: the answer says so, rather than `running`.
    const retried = await request(t.http)
      .post(`/api/v1/workflow-runs/${done.id}/retry`)
      .set(...bearer(op))
      .expect(202);
    expect(retried.body.data).toMatchObject({ id: done.id, status: 'failed' });
    expect(stepOf(retried.body.data as RunView, 'a').error).toMatchObject({ code: 'TEMPLATE_ERROR' });
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
    // Every event, the current state sent first included, has the documented fields.
    for (const { data } of events) {
      expect(Object.keys(data).sort()).toEqual(['createdBy', 'runId', 'status', 'steps', 'updatedAt', 'workflowId']);
      expect(data).toMatchObject({ runId: run.id, workflowId: wf.id, createdBy: op.id });
    }
  });
});
