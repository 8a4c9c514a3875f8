import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './context';
import type { Row } from './harness';
import { launchPlatform } from './platform';
import { drainTasks } from './throughput';

/** Sizes of (i): the chain's steps, the fan-out's steps (with its first step and its join), (d)'s tasks, and how many one-step runs give the latency. */
const CHAIN = Number(process.env.BENCH_I_CHAIN ?? 200);
const FAN_OUT = Number(process.env.BENCH_I_FANOUT ?? 500);
const D_TASKS = Number(process.env.BENCH_I_D_TASKS ?? 5000);
const SINGLES = Number(process.env.BENCH_I_SINGLES ?? 20);

/** The chain's time over this many one-step latencies per step, at most; the fan-out's tasks/s over (d)'s, at least. */
const CHAIN_FACTOR = 1.3;
const FAN_OUT_SHARE = 0.5;

type Step = { id: string; agentId: string; input: unknown; dependsOn?: string[] };

/** Starts a run of `steps` and waits for its end: seconds from the request to the run's final status. */
async function timedRun(ctx: BenchContext, steps: Step[], input: object): Promise<{ seconds: number; status: string }> {
  const wf = await ctx.call<{ id: string }>('/api/v1/workflows', { name: `bench-${steps.length}`, steps });
  const started = process.hrtime.bigint();
  const run = await ctx.call<{ id: string }>(`/api/v1/workflows/${wf.id}/runs`, { input });
  for (;;) {
    // The status column alone: the poll does not read the run's steps.
    const { rows } = await ctx.db.query(`SELECT status FROM workflow_runs WHERE id = $1`, [run.id]);
    const status = (rows[0] as { status: string }).status;
    if (status !== 'running') return { seconds: Number(process.hrtime.bigint() - started) / 1e9, status };
    if (Number(process.hrtime.bigint() - started) / 1e9 > 600)
      throw new Error(`run of ${steps.length} steps over 10 minutes`);
    await sleep(2);
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
    await ctx.worker();
    // Warm-up: the worker's and the template threads' first tasks are not measured.
    await timedRun(ctx, [chainStep(ctx.agentId, 0)], { start: 0 });
    await drainTasks(ctx, 1000);
    const dRate = await drainTasks(ctx, D_TASKS);
    const singles: number[] = [];
    for (let i = 0; i < SINGLES; i += 1)
      singles.push((await timedRun(ctx, [chainStep(ctx.agentId, 0)], { start: i })).seconds);
    const single = median(singles);
    const chainSteps = Array.from({ length: CHAIN }, (_, i) => chainStep(ctx.agentId, i));
    const chain = await timedRun(ctx, chainSteps, { start: 0 });
    const fan = await timedRun(ctx, fanOut(ctx.agentId, FAN_OUT), { base: 1 });
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
          `${fan.seconds.toFixed(2)} s, ${fanRate.toFixed(0)} tasks/s = ${((fanRate / dRate) * 100).toFixed(0)} % of ` +
          `(d)'s ${dRate} tasks/s (${D_TASKS} tasks), ${fan.status}`,
        target: `≥ ${FAN_OUT_SHARE * 100} %`,
        met: fan.status === 'succeeded' && fanRate >= FAN_OUT_SHARE * dRate,
        detail: { fanOutSeconds: fan.seconds, fanOutRate: fanRate, dRate, dTasks: D_TASKS },
      },
    ];
  } finally {
    await ctx.close();
  }
}
