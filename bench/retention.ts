import { setTimeout as sleep } from 'node:timers/promises';
import { load, type Load, type Row } from './harness';
import { launchPlatform, type Platform } from './platform';
import { seedTasks } from './task-seed';

/** (g) sizes and settings: the old tasks to purge, the rounds of (a) with and without the purge. */
const OLD_TASKS = Number(process.env.BENCH_G_TASKS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_G_ROUNDS ?? 3);
/** The longest the bench waits for the purge to finish after the rounds during it. */
const WAIT_S = Number(process.env.BENCH_G_WAIT_S ?? 900);
const RETENTION = {
  TASK_RETENTION_DAYS: '30',
  TASK_RETENTION_BATCH_SIZE: process.env.BENCH_G_BATCH ?? '500',
  TASK_RETENTION_PAUSE_MS: process.env.BENCH_G_PAUSE_MS ?? '50',
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

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)];

/**
 * (g) Retention: BENCH_G_TASKS (1,000,000) tasks that finished over a year ago, seeded by SQL with their attempts
 * on a platform of its own whose worker purges with TASK_RETENTION_DAYS=30 (batches of 500, 50 ms apart). Once
 * the worker starts, the purge runs; (a)'s POST /tasks load runs BENCH_G_ROUNDS times during it, then as many
 * times once it has ended (the same processes, the worker still running its passes, nothing left to purge).
 * Target: (a) during the purge ≥ 80 % of (a) without it. The purge's rate: old tasks gone per second.
 */
export async function retention(): Promise<Row[]> {
  const platform = await launchPlatform({ name: `g-${Date.now().toString(36)}`, env: RETENTION });
  try {
    const { seconds } = await seedTasks(platform.db, {
      count: OLD_TASKS,
      agentIds: [platform.agentId],
      newestDays: 400,
      oldestDays: 765,
    });
    process.stdout.write(`(g) seeded ${OLD_TASKS} old finished tasks in ${seconds.toFixed(1)} s\n`);
    const purgeStarted = Date.now();
    await platform.worker();
    const during: { load: Load; left: number }[] = [];
    for (let i = 0; i < ROUNDS; i += 1) during.push({ load: submitLoad(platform), left: await oldLeft(platform) });
    let left = await oldLeft(platform);
    while (left > 0 && Date.now() - purgeStarted < WAIT_S * 1000) {
      await sleep(2000);
      left = await oldLeft(platform);
    }
    const purgeS = (Date.now() - purgeStarted) / 1000;
    const rate = Math.round((OLD_TASKS - left) / purgeS);
    const after = Array.from({ length: ROUNDS }, () => submitLoad(platform));
    // A round that ended with nothing left to purge did not measure the purge.
    const measured = during.filter((r) => r.left > 0).map((r) => r.load.rps);
    const withPurge = measured.length ? median(measured) : NaN;
    const without = median(after.map((l) => l.rps));
    const ratio = withPurge / without;
    return [
      {
        scenario: `(g) POST /api/v1/tasks while ${OLD_TASKS.toLocaleString('en')} old tasks are purged vs after`,
        value:
          `${withPurge} req/s during the purge (rounds ${during.map((r) => r.load.rps).join(' / ')}), ` +
          `${without} after it (rounds ${after.map((l) => l.rps).join(' / ')}), ratio ${(ratio * 100).toFixed(0)} %; ` +
          `p99 ${median(during.map((r) => r.load.p99))} ms during, ${median(after.map((l) => l.p99))} ms after`,
        target: '≥ 80 % of (a) without the purge',
        met: ratio >= 0.8 && [...during.map((r) => r.load), ...after].every((l) => l.errors === 0),
        detail: { during, after, settings: RETENTION },
      },
      {
        scenario: `(g) task retention purge rate, ${OLD_TASKS.toLocaleString('en')} old tasks, batches of ${RETENTION.TASK_RETENTION_BATCH_SIZE}`,
        value:
          `${rate} tasks/s (${(OLD_TASKS - left).toLocaleString('en')} purged in ${purgeS.toFixed(0)} s, ` +
          `${left.toLocaleString('en')} left; (a)'s load ran for part of it)`,
        target: 'all purged (reported)',
        met: left === 0,
        detail: { purgeS, left, rate },
      },
    ];
  } finally {
    await platform.close();
  }
}
