import request from 'supertest';
import { bearer, type TestUser } from './factories/users';
import { type RunView, stepOf, workflowTestBed } from './factories/workflows';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('workflows', () => {
  const bed = workflowTestBed();
  const { agents, define, start } = bed;
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => ({ t, op, calc } = await bed.setUp()));
  afterAll(() => bed.tearDown());

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
});
