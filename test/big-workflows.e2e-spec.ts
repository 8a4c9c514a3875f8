import { AsyncLocalStorage } from 'node:async_hooks';
import request from 'supertest';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { TaskLifecycle } from '../src/tasks/task-lifecycle';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface RunView {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  steps: { id: string; status: string; taskId: string | null; output: { result?: number } | null }[];
}

/**
 * What the database was asked of the run while it took in one step's end: statements on `workflow_runs` and
 * `workflow_run_steps`, and bytes each way. (Other statements of a task's end, through caches that expire, vary from one end to another.)
 */
interface Cost {
  statements: number;
  bytesRead: number;
  bytesSent: number;
}

/**
 * Each step task's end, as the platform takes it in (every listener of the task's finish: the run's advance
 * above all), is metered: the statements it sends and the bytes that come back, by the step that ended.
 */
class StepMeter {
  readonly costs = new Map<string, Cost>();
  readonly order: string[] = [];
  private readonly scope = new AsyncLocalStorage<Cost>();
  private readonly original = PostgresQueryRunner.prototype.query;

  install(lifecycle: TaskLifecycle): void {
    const scope = this.scope;
    const original = this.original;
    PostgresQueryRunner.prototype.query = async function (this: PostgresQueryRunner, ...args: unknown[]) {
      const cost = scope.getStore();
      const result: unknown = await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      if (cost && /workflow_run(s|_steps)\b/.test(String(args[0]))) {
        cost.statements += 1;
        cost.bytesSent += JSON.stringify(args[1] ?? []).length;
        cost.bytesRead += JSON.stringify(result ?? null).length;
      }
      return result;
    } as typeof original;
    const finished = lifecycle.finished.bind(lifecycle);
    lifecycle.finished = (task) => {
      if (!task.stepId) return finished(task);
      const cost: Cost = { statements: 0, bytesRead: 0, bytesSent: 0 };
      this.costs.set(task.stepId, cost);
      this.order.push(task.stepId);
      return this.scope.run(cost, () => finished(task));
    };
  }

  uninstall(): void {
    PostgresQueryRunner.prototype.query = this.original;
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('big workflows', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  const meter = new StepMeter();

  beforeAll(async () => {
    t = await createTestApp({
      // Room for a loaded machine: a 500-step definition is parsed, and its run rendered, on the template threads.
      env: { WORKER_CONCURRENCY: '16', REQUEST_TIMEOUT_MS: '120000', WORKFLOW_TEMPLATE_TIMEOUT_MS: '10000' },
    });
    op = await createUser(t, 'operator');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 64 })).id;
    meter.install(t.app.get(TaskLifecycle));
  }, 180_000);
  afterAll(async () => {
    meter.uninstall();
    await t?.close();
  });

  const runOf = async (steps: object[], input: object) => {
    const defined = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: `big-${steps.length}`, steps });
    expect([defined.status, defined.status === 201 ? 'created' : defined.body]).toEqual([201, 'created']);
    const wf = defined.body.data as { id: string };
    const run = (
      await request(t.http)
        .post(`/api/v1/workflows/${wf.id}/runs`)
        .set(...bearer(op))
        .send({ input })
        .expect(202)
    ).body.data as RunView;
    return waitFor(
      async () => {
        const view = (
          await request(t.http)
            .get(`/api/v1/workflow-runs/${run.id}`)
            .set(...bearer(op))
        ).body.data as RunView;
        return view.status !== 'running' ? view : undefined;
      },
      240_000,
      250,
    );
  };

  const stored = async (runId: string) =>
    (
      (await t.dataSource.query(
        `SELECT open_steps AS "openSteps", (SELECT count(*)::int FROM tasks WHERE run_id = $1) AS tasks
           FROM workflow_runs WHERE id = $1`,
        [runId],
      )) as { openSteps: number; tasks: number }[]
    )[0];

  it('runs a chain of 200 steps, each reading the one before, at the same cost per step', async () => {
    const steps = Array.from({ length: 200 }, (_, i) =>
      i === 0
        ? { id: 's1', agentId: calc, input: { expression: 'x + 1', variables: { x: '{{ input.start }}' } } }
        : {
            id: `s${i + 1}`,
            agentId: calc,
            input: { expression: 'x + 1', variables: { x: `{{ steps.s${i}.output.result }}` } },
            dependsOn: [`s${i}`],
          },
    );
    const done = await runOf(steps, { start: 1000 });
    expect(done.status).toBe('succeeded');
    expect(done.steps).toHaveLength(200);
    done.steps.forEach((s, i) => {
      expect([s.id, s.status, s.output]).toEqual([`s${i + 1}`, 'succeeded', { result: 1000 + i + 1 }]);
    });
    expect(done.output).toEqual({ s200: { result: 1200 } });
    expect(await stored(done.id)).toEqual({ openSteps: 0, tasks: 200 });

    // The end of step 180 costs what the end of step 20 cost: the same statements, the same bytes within a
    // margin for numbers growing a digit. Reading and writing the run whole, as before, would grow by the
    // states of the 160 steps ended in between, on every read and write.
    // (Step 20, not 5: the first steps also fill the process's caches, of the agent and the like.)
    const early = meter.costs.get('s20')!;
    const late = meter.costs.get('s180')!;
    expect(late.statements).toBe(early.statements);
    expect(late.bytesRead).toBeLessThanOrEqual(early.bytesRead * 1.1 + 200);
    expect(late.bytesSent).toBeLessThanOrEqual(early.bytesSent * 1.1 + 200);
  }, 300_000);

  it('runs a fan-out of 498 branches and their fan-in: 500 steps, at the same cost per branch', async () => {
    const branches = Array.from({ length: 498 }, (_, i) => `b${i + 1}`);
    const steps = [
      { id: 'start', agentId: calc, input: { expression: 'x * 2', variables: { x: '{{ input.base }}' } } },
      ...branches.map((id, i) => ({
        id,
        agentId: calc,
        input: { expression: `x + ${i + 1}`, variables: { x: '{{ steps.start.output.result }}' } },
        dependsOn: ['start'],
      })),
      {
        id: 'join',
        agentId: calc,
        input: {
          expression: 'first + last',
          variables: { first: '{{ steps.b1.output.result }}', last: '{{ steps.b498.output.result }}' },
        },
        dependsOn: branches,
      },
    ];
    const done = await runOf(steps, { base: 5 });
    expect(done.status).toBe('succeeded');
    expect(done.steps).toHaveLength(500);
    expect(done.steps.every((s) => s.status === 'succeeded' && s.taskId)).toBe(true);
    const byId = new Map(done.steps.map((s) => [s.id, s]));
    expect(byId.get('start')!.output).toEqual({ result: 10 });
    branches.forEach((id, i) => expect(byId.get(id)!.output).toEqual({ result: 10 + i + 1 }));
    expect(byId.get('join')!.output).toEqual({ result: 11 + 508 });
    expect(done.output).toEqual({ join: { result: 519 } });
    expect(await stored(done.id)).toEqual({ openSteps: 0, tasks: 500 });
    // The first step's end starts 498 branches a hundred to a transaction: a dozen statements a hundred at
    // most, not some per branch.
    expect(meter.costs.get('start')!.statements).toBeLessThanOrEqual(60);

    // Advances taking in branches that end late cost no more than those taking in branches that end early, on
    // average: nothing grows with the steps already over. Ends arriving together are taken in by one advance,
    // metered on the first of them (the others cost nothing), and how many arrive together is a matter of
    // timing; so what is compared is the cost of an advance, not of an end.
    const ends = meter.order.filter((id) => id.startsWith('b'));
    expect(ends).toHaveLength(498);
    const advances = (ids: string[]) => ids.map((id) => meter.costs.get(id)!).filter((c) => c.statements > 0);
    const early = advances(ends.slice(10, 110));
    const late = advances(ends.slice(380, 480));
    expect(early.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(0);
    for (const key of ['statements', 'bytesRead', 'bytesSent'] as const) {
      const [e, l] = [mean(early.map((c) => c[key])), mean(late.map((c) => c[key]))];
      expect(l).toBeLessThanOrEqual(e * 1.25 + 200);
    }
  }, 300_000);
});
