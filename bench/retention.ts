import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAINTENANCE_QUEUE } from '../src/jobs/queues';
import { load, type Load, type Row } from './harness';
import { launchPlatform, type Platform } from './platform';
import { REDIS_URL } from './server-env';
import { seedTasks } from './task-seed';

/** (g) sizes and settings: the old tasks to purge, the rounds of (a) with and without the purge. */
const OLD_TASKS = Number(process.env.BENCH_G_TASKS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_G_ROUNDS ?? 3);
/** The longest the bench waits for the purge to finish after the rounds during it. */
const WAIT_S = Number(process.env.BENCH_G_WAIT_S ?? 900);
/** The longest a pass of the purge takes to end once held, or to begin once let go (the interval and a margin). */
const SWITCH_MS = 20_000;
const RETENTION = {
  TASK_RETENTION_DAYS: '30',
  TASK_RETENTION_BATCH_SIZE: process.env.BENCH_G_BATCH ?? '500',
  TASK_RETENTION_PAUSE_MS: process.env.BENCH_G_PAUSE_MS ?? '50',
  TASK_RETENTION_PAUSE_FACTOR: process.env.BENCH_G_PAUSE_FACTOR ?? '1',
  TASK_RETENTION_INTERVAL_MS: '10000',
};

async function oldLeft(platform: Platform): Promise<number> {
  const { rows } = await platform.db.query(
    `SELECT count(*)::int AS n FROM tasks WHERE finished_at < now() - interval '30 days'`,
  );
  return (rows as { n: number }[])[0].n;
}

/** (a)'s load: POST /tasks at 100 connections, as in the main run, measured on the api process. */
function submitLoad(platform: Platform): Load {
  const body = JSON.stringify({ agentId: platform.agentId, input: { expression: '1 + 1' } });
  return load(`${platform.apiUrl}/api/v1/tasks`, {
    method: 'POST',
    body,
    token: platform.accessToken,
    pid: platform.api.child.pid,
  });
}

/**
 * One round of (a) while the purge runs, one while it is held, the old tasks left after the first, and how many
 * the purge deleted per second while the first ran (what it yields under load).
 */
interface Pair {
  during: Load;
  held: Load;
  left: number;
  purgedPerS: number;
}

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)];

/**
 * Holds the purge and lets it go again, by pausing the worker's maintenance queue (where the periodic jobs run)
 * and resuming it: a paused queue hands out no job, so once the pass under way ends, the purge costs nothing.
 */
class PurgeSwitch {
  private readonly connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  private readonly queue: Queue;

  constructor(prefix: string) {
    this.queue = new Queue(MAINTENANCE_QUEUE, { connection: this.connection, prefix: `${prefix}:bull` });
  }

  /** Resolves once no pass runs. */
  async hold(): Promise<void> {
    await this.queue.pause();
    await this.until(async () => (await this.queue.getActiveCount()) === 0);
  }

  /** Resolves once a pass runs again. */
  async release(): Promise<void> {
    await this.queue.resume();
    await this.until(async () => (await this.queue.getActiveCount()) > 0);
  }

  async close(): Promise<void> {
    await this.queue.resume().catch(() => undefined);
    await this.queue.close();
    this.connection.disconnect();
  }

  private async until(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + SWITCH_MS;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('(g): the purge did not switch in time');
      await sleep(100);
    }
  }
}

/**
 * (g) Retention: BENCH_G_TASKS (1,000,000) tasks that finished over a year ago, seeded by SQL with their attempts
 * on a platform of its own whose worker purges with TASK_RETENTION_DAYS=30 (batches of 500, at least 50 ms and
 * the last batch's own time apart: TASK_RETENTION_PAUSE_FACTOR 1, the default). The worker starts with the purge
 * held, for a round of (a) that is not counted; then the purge runs, and (a)'s POST /tasks load runs
 * BENCH_G_ROUNDS pairs of rounds, one while the purge runs and one while it is held (no pass under way), the order
 * alternating, so that both rounds of a pair see the machine alike. Target: the pairs' median ratio ≥ 80 %. Then
 * the purge runs to its end; its rate is old tasks gone per second it ran.
 */
export async function retention(): Promise<Row[]> {
  const platform = await launchPlatform({ name: `g-${Date.now().toString(36)}`, env: RETENTION });
  const purge = new PurgeSwitch(platform.prefix);
  try {
    const { seconds } = await seedTasks(platform.db, {
      count: OLD_TASKS,
      agentIds: [platform.agentId],
      newestDays: 400,
      oldestDays: 765,
    });
    process.stdout.write(`(g) seeded ${OLD_TASKS} old finished tasks in ${seconds.toFixed(1)} s\n`);
    // The worker starts with the purge held, and one round of (a) that is not counted warms the whole platform
    // (the worker's first tasks, a new database's first connections), so that no round of a pair meets it cold.
    await purge.hold();
    await platform.worker();
    submitLoad(platform);
    await purge.release();
    const purgeStarted = Date.now();
    let heldMs = 0;
    const heldRound = async (): Promise<Load> => {
      await purge.hold();
      const from = Date.now();
      const round = submitLoad(platform);
      await purge.release();
      heldMs += Date.now() - from;
      return round;
    };
    const pairs: Pair[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const pair: Partial<Pair> = {};
      for (const phase of i % 2 ? ['held', 'during'] : ['during', 'held']) {
        if (phase === 'held') pair.held = await heldRound();
        else {
          const [before, from] = [await oldLeft(platform), Date.now()];
          pair.during = submitLoad(platform);
          pair.left = await oldLeft(platform);
          pair.purgedPerS = Math.round(((before - pair.left) * 1000) / (Date.now() - from));
        }
      }
      pairs.push(pair as Pair);
    }
    let left = await oldLeft(platform);
    while (left > 0 && Date.now() - purgeStarted < WAIT_S * 1000) {
      await sleep(2000);
      left = await oldLeft(platform);
    }
    const purgeS = (Date.now() - purgeStarted - heldMs) / 1000;
    const rate = Math.round((OLD_TASKS - left) / purgeS);
    // A pair whose round during the purge ended with nothing left to purge did not measure it.
    const measured = pairs.filter((p) => p.left > 0);
    const ratio = measured.length ? median(measured.map((p) => p.during.rps / p.held.rps)) : NaN;
    const loads = pairs.flatMap((p) => [p.during, p.held]);
    return [
      {
        scenario: `(g) POST /api/v1/tasks while ${OLD_TASKS.toLocaleString('en')} old tasks are purged vs held`,
        value:
          `${(ratio * 100).toFixed(0)} % (median of ${measured.length} pairs, during / held: ` +
          `${pairs.map((p) => `${p.during.rps} / ${p.held.rps}`).join(', ')} req/s); ` +
          `p99 ${median(pairs.map((p) => p.during.p99))} ms during, ${median(pairs.map((p) => p.held.p99))} ms held; ` +
          `the purge meanwhile ${pairs.map((p) => p.purgedPerS).join(', ')} tasks/s`,
        target: '≥ 80 % of (a) without the purge',
        met: ratio >= 0.8 && loads.every((l) => l.errors === 0),
        detail: { pairs, settings: RETENTION },
      },
      {
        scenario: `(g) task retention purge rate, ${OLD_TASKS.toLocaleString('en')} old tasks, batches of ${RETENTION.TASK_RETENTION_BATCH_SIZE}`,
        value:
          `${rate} tasks/s (${(OLD_TASKS - left).toLocaleString('en')} purged in ${purgeS.toFixed(0)} s of running, ` +
          `${left.toLocaleString('en')} left; (a)'s load ran for part of it)`,
        target: 'all purged (reported)',
        met: left === 0,
        detail: { purgeS, heldS: heldMs / 1000, left, rate },
      },
    ];
  } finally {
    await purge.close().catch(() => undefined);
    await platform.close();
  }
}
