import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'pg';

/**
 * One job queue a user might pick instead of YMERA, in a process of its own so its CPU can be read from
 * /proc: `BENCH_ALT=graphile` (graphile-worker with its local queue and batched completion), `graphile-plain`
 * (graphile-worker's defaults: a fetch and a completion statement per job) or `pgboss` (pg-boss, a batch per
 * fetch). Each job computes `i * 3` and stores the result in a table. It prints `ready` once its schema is
 * installed; each `run <n> <round>` line on stdin adds n jobs (1,000 per call, as (d) submits) and answers
 * `done <ms>` once the queue says every job is complete.
 */
const DATABASE_URL = process.env.DATABASE_URL!;
const KIND = process.env.BENCH_ALT ?? 'graphile';
const CONCURRENCY = Number(process.env.BENCH_K_CONCURRENCY ?? 50);

type Runner = { add(round: string, n: number): Promise<void>; pending(round: string): Promise<number> };

async function main(): Promise<void> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`CREATE TABLE IF NOT EXISTS alt_results (round text NOT NULL, i int NOT NULL, result int NOT NULL)`);
  const runner = KIND === 'pgboss' ? await pgBoss(db) : await graphile(db, KIND === 'graphile');
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, n, round] = line.trim().split(' ');
    if (command !== 'run') break;
    const started = performance.now();
    await runner.add(round, Number(n));
    // Every 20 ms, as drainTasks polls the platform: a coarser poll would round the fastest contenders' time up.
    while ((await runner.pending(round)) > 0) await sleep(20);
    process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
  }
  process.exit(0);
}

/** Adds `n` jobs in calls of 1,000. */
async function inChunks(n: number, add: (from: number, to: number) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < n; from += 1000) await add(from, Math.min(n, from + 1000));
}

async function graphile(db: Client, batched: boolean): Promise<Runner> {
  const { run, makeWorkerUtils } = await import('graphile-worker');
  const preset = batched
    ? { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
    : { worker: {} };
  const stored = new Map<string, number>();
  const wanted = new Map<string, number>();
  const runner = await run({
    connectionString: DATABASE_URL,
    concurrency: CONCURRENCY,
    maxPoolSize: 20,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quietGraphileLogger(await import('graphile-worker')),
    preset,
    taskList: {
      calc: async (payload, helpers) => {
        const { round, i } = payload as { round: string; i: number };
        await helpers.query('INSERT INTO alt_results (round, i, result) VALUES ($1, $2, $3)', [round, i, i * 3]);
        stored.set(round, (stored.get(round) ?? 0) + 1);
      },
    },
  });
  void runner.promise.catch((err: unknown) => fail(err));
  const utils = await makeWorkerUtils({ connectionString: DATABASE_URL });
  return {
    add: (round, n) => {
      wanted.set(round, n);
      return inChunks(n, (from, to) =>
        utils.addJobs(
          Array.from({ length: to - from }, (_, k) => ({ identifier: 'calc', payload: { round, i: from + k } })),
        ),
      );
    },
    // Every result stored and every job gone from graphile's table (a completed job is deleted).
    pending: async (round) => {
      const left = wanted.get(round)! - (stored.get(round) ?? 0);
      if (left > 0) return left;
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM graphile_worker._private_jobs');
      return Number(rows[0].n);
    },
  };
}

function quietGraphileLogger(gw: typeof import('graphile-worker')): InstanceType<typeof gw.Logger> {
  return new gw.Logger(() => (level: string, message: string) => {
    if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
  });
}

async function pgBoss(db: Client): Promise<Runner> {
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({ connectionString: DATABASE_URL, max: 20 });
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  // pg-boss reports a failed poll or maintenance pass here and carries on (it polls again): so does the bench.
  boss.on('error', (err: unknown) =>
    process.stderr.write(`pg-boss: ${err instanceof Error ? err.message : String(err)}\n`),
  );
  await boss.start();
  const queues = new Map<string, string>();
  return {
    add: async (round, n) => {
      // A queue per round: the finished jobs of the rounds before stay out of this round's fetches.
      const queue = `calc_${round}`;
      await boss.createQueue(queue);
      queues.set(round, queue);
      await boss.work<{ round: string; i: number }>(
        queue,
        { batchSize: 100, localConcurrency: 2, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
        async (jobs) => {
          const is = jobs.map((job) => job.data.i);
          await pool.query(
            'INSERT INTO alt_results (round, i, result) SELECT $1, i, i * 3 FROM unnest($2::int[]) AS i',
            [round, is],
          );
        },
      );
      await inChunks(n, (from, to) =>
        boss.insert(
          queue,
          Array.from({ length: to - from }, (_, k) => ({ data: { round, i: from + k } })),
        ),
      );
    },
    pending: async (round) => {
      const queue = queues.get(round)!;
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
        [queue],
      );
      const left = Number(rows[0].n);
      if (left === 0) await boss.offWork(queue);
      return left;
    },
  };
}

function fail(err: unknown): never {
  process.stderr.write(`${KIND} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
}

main().catch(fail);
