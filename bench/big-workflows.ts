import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './context';
import { backendCpuSeconds, cpuSeconds, type Proc, type Row } from './harness';
import { launchPlatform } from './platform';
import { drainTasks } from './throughput';

/**
 * Sizes of (i): the chain's steps, the fan-out's steps (with its first step and its join) and how many fan-outs
 * run (the median counts), (d)'s tasks, and how many one-step runs give the latency.
 */
const CHAIN = Number(process.env.BENCH_I_CHAIN ?? 200);
const FAN_OUT = Number(process.env.BENCH_I_FANOUT ?? 500);
const FAN_OUT_RUNS = Number(process.env.BENCH_I_FANOUT_RUNS ?? 3);
const D_TASKS = Number(process.env.BENCH_I_D_TASKS ?? 5000);
const SINGLES = Number(process.env.BENCH_I_SINGLES ?? 20);

/** The chain's time over this many one-step latencies per step, at most; the fan-out's tasks/s over (d)'s, at least. */
const CHAIN_FACTOR = 1.3;
const FAN_OUT_SHARE = 0.5;

type Step = { id: string; agentId: string; input: unknown; dependsOn?: string[] };

/**
 * How often a run's status is read while waiting for its end. The time is the run's own (its `finished_at`),
 * so the wait need not poll often: polling must not load the database it measures, as (d)'s does not.
 */
const POLL_MS = 20;

/**
 * Starts a run of `steps` and waits for its end: seconds from the request to the run's final status, as the
 * run's `finished_at` records it. `defined` is called once the workflow is defined, before the run starts.
 */
async function timedRun(
  ctx: BenchContext,
  steps: Step[],
  input: object,
  defined?: () => Promise<void>,
): Promise<{ seconds: number; status: string; runId: string }> {
  const wf = await ctx.call<{ id: string }>('/api/v1/workflows', { name: `bench-${steps.length}`, steps });
  await defined?.();
  const started = Date.now();
  const run = await ctx.call<{ id: string }>(`/api/v1/workflows/${wf.id}/runs`, { input });
  for (;;) {
    // The status and end alone: the poll does not read the run's steps.
    const { rows } = await ctx.db.query(
      `SELECT status, extract(epoch FROM finished_at) * 1000 AS finished FROM workflow_runs WHERE id = $1`,
      [run.id],
    );
    const { status, finished } = rows[0] as { status: string; finished: string | null };
    if (status !== 'running')
      return { seconds: ((finished === null ? Date.now() : Number(finished)) - started) / 1000, status, runId: run.id };
    if (Date.now() - started > 600_000) throw new Error(`run of ${steps.length} steps over 10 minutes`);
    await sleep(POLL_MS);
  }
}

const chainStep = (agentId: string, i: number): Step =>
  i === 0
    ? { id: 's1', agentId, input: { expression: 'x + 1', variables: { x: '{{ input.start }}' } } }
    : {
        id: `s${i + 1}`,
        agentId,
        input: { expression: 'x + 1', variables: { x: `{{ steps.s${i}.output.result }}` } },
        dependsOn: [`s${i}`],
      };

function fanOut(agentId: string, size: number): Step[] {
  const branches = Array.from({ length: size - 2 }, (_, i) => `b${i + 1}`);
  return [
    { id: 'start', agentId, input: { expression: 'x * 2', variables: { x: '{{ input.base }}' } } },
    ...branches.map((id, i) => ({
      id,
      agentId,
      input: { expression: `x + ${i + 1}`, variables: { x: '{{ steps.start.output.result }}' } },
      dependsOn: ['start'],
    })),
    {
      id: 'join',
      agentId,
      input: {
        expression: 'a + b',
        variables: { a: '{{ steps.b1.output.result }}', b: `{{ steps.${branches.at(-1)}.output.result }}` },
      },
      dependsOn: branches,
    },
  ];
}

/**
 * Where a fan-out's time went, in ms from the run's creation: its first step's task created, started and
 * finished; the branches' first and last creation, first start and last finish; the join's creation, start
 * and finish; the run's end.
 */
async function fanOutTimeline(ctx: BenchContext, runId: string): Promise<Record<string, number>> {
  const ms = (column: string) => `round(extract(epoch FROM ${column} - r.created_at) * 1000)::int`;
  const { rows } = await ctx.db.query(
    `SELECT ${ms("min(t.created_at) FILTER (WHERE t.step_id = 'start')")} AS "startCreated",
            ${ms("min(t.started_at) FILTER (WHERE t.step_id = 'start')")} AS "startStarted",
            ${ms("min(t.finished_at) FILTER (WHERE t.step_id = 'start')")} AS "startFinished",
            ${ms("min(t.created_at) FILTER (WHERE t.step_id LIKE 'b%')")} AS "firstBranchCreated",
            ${ms("max(t.created_at) FILTER (WHERE t.step_id LIKE 'b%')")} AS "lastBranchCreated",
            ${ms("min(t.started_at) FILTER (WHERE t.step_id LIKE 'b%')")} AS "firstBranchStarted",
            ${ms("max(t.finished_at) FILTER (WHERE t.step_id LIKE 'b%')")} AS "lastBranchFinished",
            ${ms("min(t.created_at) FILTER (WHERE t.step_id = 'join')")} AS "joinCreated",
            ${ms("min(t.started_at) FILTER (WHERE t.step_id = 'join')")} AS "joinStarted",
            ${ms("min(t.finished_at) FILTER (WHERE t.step_id = 'join')")} AS "joinFinished",
            ${ms('min(r.finished_at)')} AS "runFinished"
       FROM workflow_runs r JOIN tasks t ON t.run_id = r.id
      WHERE r.id = $1
      GROUP BY r.created_at`,
    [runId],
  );
  return rows[0] as Record<string, number>;
}

/**
 * Rows of `table` updated so far, as Postgres's statistics count them: other backends report theirs within a
 * second of going idle, so this waits that long first.
 */
async function rowUpdates(ctx: BenchContext, table: string): Promise<number> {
  await sleep(1200);
  const { rows } = await ctx.db.query(`SELECT n_tup_upd::int AS n FROM pg_stat_user_tables WHERE relname = $1`, [
    table,
  ]);
  return (rows[0] as { n: number }).n;
}

/** CPU seconds so far of the api and worker processes and of the platform's Postgres backends. */
async function cpuNow(
  ctx: BenchContext,
  worker: Proc,
): Promise<{ api: number; worker: number; backends: Map<number, number> }> {
  return {
    api: cpuSeconds(ctx.api.child.pid!),
    worker: cpuSeconds(worker.child.pid!),
    backends: await backendCpuSeconds(ctx.db),
  };
}

/** CPU milliseconds per task of each stage between two readings (Postgres: the backends in both). */
function cpuPerTask(
  before: Awaited<ReturnType<typeof cpuNow>>,
  after: Awaited<ReturnType<typeof cpuNow>>,
  tasks: number,
) {
  let postgres = 0;
  for (const [pid, seconds] of after.backends) postgres += seconds - (before.backends.get(pid) ?? seconds);
  const ms = (seconds: number) => Number(((seconds * 1000) / tasks).toFixed(3));
  return { api: ms(after.api - before.api), worker: ms(after.worker - before.worker), postgres: ms(postgres) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * (i) Big workflows, on a platform of their own: a chain of 200 steps (each reading the one before) against
 * 200 times one step's end-to-end latency (a one-step run of the same step, median of 20), and a fan-out of
 * 500 steps (one, 498 branches reading it, a join of all branches) in tasks per second against (d)'s
 * (`drainTasks`, same platform, same run).
 */
export async function bigWorkflows(): Promise<Row[]> {
  const ctx = await launchPlatform({ name: 'wf' });
  try {
    const worker = await ctx.worker();
    // Warm-up: the worker's and the template threads' first tasks, and a first small fan-out, are not measured.
    await timedRun(ctx, [chainStep(ctx.agentId, 0)], { start: 0 });
    await timedRun(ctx, fanOut(ctx.agentId, 100), { base: 1 });
    await drainTasks(ctx, 1000);
    const dBefore = await cpuNow(ctx, worker);
    const dRate = await drainTasks(ctx, D_TASKS);
    const dCpu = cpuPerTask(dBefore, await cpuNow(ctx, worker), D_TASKS);
    const singles: number[] = [];
    for (let i = 0; i < SINGLES; i += 1)
      singles.push((await timedRun(ctx, [chainStep(ctx.agentId, 0)], { start: i })).seconds);
    const single = median(singles);
    const chainSteps = Array.from({ length: CHAIN }, (_, i) => chainStep(ctx.agentId, i));
    const chain = await timedRun(ctx, chainSteps, { start: 0 });
    const fans: Awaited<ReturnType<typeof timedRun>>[] = [];
    const runUpdates: number[] = [];
    const fanCpus: ReturnType<typeof cpuPerTask>[] = [];
    for (let i = 0; i < FAN_OUT_RUNS; i += 1) {
      const before = await rowUpdates(ctx, 'workflow_runs');
      let cpuBefore: Awaited<ReturnType<typeof cpuNow>> | undefined;
      fans.push(
        await timedRun(ctx, fanOut(ctx.agentId, FAN_OUT), { base: 1 }, async () => {
          cpuBefore = await cpuNow(ctx, worker);
        }),
      );
      fanCpus.push(cpuPerTask(cpuBefore!, await cpuNow(ctx, worker), FAN_OUT));
      runUpdates.push((await rowUpdates(ctx, 'workflow_runs')) - before);
    }
    const fan = [...fans].sort((a, b) => a.seconds - b.seconds)[Math.floor(fans.length / 2)];
    const timeline = await fanOutTimeline(ctx, fan.runId);
    const ceiling = CHAIN_FACTOR * CHAIN * single;
    const fanRate = FAN_OUT / fan.seconds;
    return [
      {
        scenario: `(i) chain of ${CHAIN} steps vs ${CHAIN} × one step's end-to-end latency`,
        value:
          `${chain.seconds.toFixed(2)} s = ${((chain.seconds / (CHAIN * single)) * 100).toFixed(0)} % of ${CHAIN} × ` +
          `${(single * 1000).toFixed(1)} ms (${((chain.seconds / CHAIN) * 1000).toFixed(1)} ms a step), ${chain.status}`,
        target: `≤ ${CHAIN_FACTOR * 100} %`,
        met: chain.status === 'succeeded' && chain.seconds <= ceiling,
        detail: { chainSeconds: chain.seconds, singleMs: single * 1000, singlesMs: singles.map((s) => s * 1000) },
      },
      {
        scenario: `(i) fan-out/fan-in of ${FAN_OUT} steps vs (d)'s tasks/s`,
        value:
          `${fan.seconds.toFixed(2)} s (median of ${fans.length}), ${fanRate.toFixed(0)} tasks/s = ${((fanRate / dRate) * 100).toFixed(0)} % of ` +
          `(d)'s ${dRate} tasks/s (${D_TASKS} tasks), ${fan.status}`,
        target: `≥ ${FAN_OUT_SHARE * 100} %`,
        met: fans.every((f) => f.status === 'succeeded') && fanRate >= FAN_OUT_SHARE * dRate,
        detail: {
          fanOutSeconds: fan.seconds,
          fanOutRate: fanRate,
          dRate,
          dTasks: D_TASKS,
          fanOutsSeconds: fans.map((f) => f.seconds),
          runUpdates,
          timeline,
          dCpuMsPerTask: dCpu,
          fanOutCpuMsPerTask: fanCpus,
        },
      },
    ];
  } finally {
    await ctx.close();
  }
}
