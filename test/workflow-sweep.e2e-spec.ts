import request from 'supertest';
import { WorkflowSweeper } from '../src/workflows/workflow-sweeper';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, type RunView, startRun } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';

/** The sweep that advances runs whose advance was missed (a process died between a task's end and the run's). */
describe('the workflow sweep', () => {
  let t: TestApp;
  let op: TestUser;

  // The periodic pass stays out of the way: the test runs the passes itself.
  beforeAll(async () => {
    t = await createTestApp({ env: { QUEUE_RECONCILE_INTERVAL_MS: '3600000' } });
    op = await createUser(t, 'operator');
  });
  afterAll(() => t.close());

  const run = async (id: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${id}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;

  /** A calculator that takes no task: a step on it stays queued, its run running. */
  const pausedCalculator = async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    return agent;
  };

  it('reaches a run whose advance was missed behind more than a page of runs that stay running', async () => {
    // 100 runs (a pass's page) whose step waits on a paused agent: running, untouched, older than the one below.
    const paused = await pausedCalculator();
    const waiting = await createWorkflow(t, op, {
      name: 'waits',
      steps: [{ id: 'a', agentId: paused.id, input: { expression: '1' } }],
    });
    for (let i = 0; i < 100; i += 1) await startRun(t, op, waiting);

    // A run whose step's task ended while no process advanced the run: its task is marked done behind its back.
    const other = await pausedCalculator();
    const missed = await startRun<RunView>(
      t,
      op,
      await createWorkflow(t, op, {
        name: 'missed',
        steps: [{ id: 'a', agentId: other.id, input: { expression: '2' } }],
      }),
    );
    await t.dataSource.query(
      `UPDATE tasks SET status = 'succeeded', output = '{"result": 2}', finished_at = now() WHERE id = $1`,
      [missed.steps[0].taskId],
    );

    const sweeper = t.app.get(WorkflowSweeper);
    expect(await sweeper.sweep()).toBe(100);
    expect((await run(missed.id)).status).toBe('running');
    // The next pass goes on from there, and then from the start again.
    expect(await sweeper.sweep()).toBe(1);
    expect((await run(missed.id)).status).toBe('succeeded');
    expect(await sweeper.sweep()).toBe(100);
  }, 60_000);
});
