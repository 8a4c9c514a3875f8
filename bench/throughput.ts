import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import type { BenchContext } from './context';
import { apiHeap, type Proc, type Row, rssMb, SETTLE_S } from './harness';
import { REDIS_URL } from './server-env';

/** The api's memory after start-up, read before any load. */
export interface StartupMemory {
  bootApi: number;
  idleApi: number;
  idleApiHeap: { used: number; total: number };
}

/**
 * The tasks (a) and (b) left queued are marked done and their jobs dropped, so a throughput run measures its
 * own tasks only, not a backlog of stale jobs the worker would have to skip first.
 */
export async function clearBacklog(ctx: BenchContext): Promise<void> {
  await ctx.db.query(`UPDATE tasks SET status = 'succeeded' WHERE status IN ('queued', 'running', 'retrying')`);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const backlog = new Queue('tasks', { connection, prefix: `${ctx.prefix}:bull` });
  await backlog.drain(true);
  await backlog.close();
  connection.disconnect();
}

/**
 * `count` calculator tasks submitted through `POST /tasks/batch` (1,000 a call), spread over `agentIds` (the
 * run's agent by default), timed until Postgres says none is left unfinished: tasks per second.
 */
export async function drainTasks(ctx: BenchContext, count = 10_000, agentIds = [ctx.agentId]): Promise<number> {
  const started = Date.now();
  for (let batch = 0; batch * 1000 < count; batch += 1) {
    const tasks = Array.from({ length: Math.min(1000, count - batch * 1000) }, (_, i) => ({
      agentId: agentIds[(batch * 1000 + i) % agentIds.length],
      input: { expression: `${batch} * 1000 + ${i}` },
    }));
    await ctx.call('/api/v1/tasks/batch', { tasks });
  }
  await allFinished(ctx.db, started + 600_000);
  return Math.round(count / ((Date.now() - started) / 1000));
}

/** Resolves once the platform's database has no unfinished task; throws once `deadline` (epoch ms) has passed. */
export async function allFinished(db: BenchContext['db'], deadline: number): Promise<void> {
  for (;;) {
    // EXISTS stops at the first unfinished task: polling must not load the database it measures.
    const [{ pending }] = (
      await db.query(`SELECT EXISTS (SELECT 1 FROM tasks WHERE status IN ('queued', 'running', 'retrying')) AS pending`)
    ).rows as { pending: boolean }[];
    if (!pending) return;
    if (Date.now() > deadline) throw new Error('tasks did not finish in time');
    // Every 20 ms, as (k)'s contenders are polled: a coarser poll would round the platform's time up.
    await sleep(20);
  }
}

/** A raw BullMQ worker draining 10,000 no-op jobs: what the queue alone does on this machine. */
export async function rawBullmqRate(ctx: BenchContext): Promise<number> {
  const rawConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const rawQueue = new Queue('raw', { connection: rawConnection, prefix: `${ctx.prefix}:bull` });
  await rawQueue.addBulk(
    Array.from({ length: 10_000 }, (_, i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: true } })),
  );
  let drained = 0;
  const started = Date.now();
  const raw = new Worker('raw', async () => undefined, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: `${ctx.prefix}:bull`,
    concurrency: 50,
  });
  raw.on('completed', () => (drained += 1));
  while (drained < 10_000) await sleep(50);
  const rate = Math.round(10_000 / ((Date.now() - started) / 1000));
  await raw.close();
  await rawQueue.close();
  rawConnection.disconnect();
  return rate;
}

/**
 * (d) 10,000 calculator tasks end to end, against a raw BullMQ worker draining 10,000 no-op jobs, and, when
 * `memory` is given, (e) the memory of both processes before and after it.
 */
export async function throughput(ctx: BenchContext, memory?: StartupMemory): Promise<Row[]> {
  const rows: Row[] = [];
  await clearBacklog(ctx);
  const workerProc = await ctx.worker();
  const bootWorker = rssMb(workerProc.child.pid!);
  if (memory) await sleep(SETTLE_S * 1000);
  const idleWorker = rssMb(workerProc.child.pid!);
  const platformRate = await drainTasks(ctx);
  const rawRate = await rawBullmqRate(ctx);
  rows.push({
    scenario: '(d) 10,000 calculator tasks via batch, until Postgres says succeeded',
    value: `${platformRate} tasks/s (raw BullMQ no-op: ${rawRate} jobs/s)`,
    target: '≥ 1,000 tasks/s',
    met: platformRate >= 1000,
    detail: { platformRate, rawRate },
  });
  if (memory) rows.push(await memoryAfter(ctx, memory, workerProc, { bootWorker, idleWorker }));
  return rows;
}

/**
 * (e) Right after the burst the heap still holds its garbage; what stays after the processes go idle (V8
 * shrinks an idle heap within seconds) is the growth the target is about. Both are reported.
 */
async function memoryAfter(
  ctx: BenchContext,
  { bootApi, idleApi, idleApiHeap }: StartupMemory,
  workerProc: Proc,
  { bootWorker, idleWorker }: { bootWorker: number; idleWorker: number },
): Promise<Row> {
  const burstApi = rssMb(ctx.api.child.pid!);
  const burstWorker = rssMb(workerProc.child.pid!);
  const burstApiHeap = await apiHeap(ctx.apiUrl);
  await sleep(SETTLE_S * 1000);
  const afterApi = rssMb(ctx.api.child.pid!);
  const afterWorker = rssMb(workerProc.child.pid!);
  const afterApiHeap = await apiHeap(ctx.apiUrl);
  return {
    scenario: `(e) RSS idle / after (d), each after ${SETTLE_S} s idle`,
    value:
      `api ${idleApi} → ${afterApi} MB (${bootApi} at start, ${burstApi} right after (d)), ` +
      `worker ${idleWorker} → ${afterWorker} MB (${bootWorker} at start, ${burstWorker} right after (d))`,
    target: '≤ 200 MB idle, growth ≤ 50 MB',
    met: idleApi <= 200 && idleWorker <= 200 && afterApi - idleApi <= 50 && afterWorker - idleWorker <= 50,
    detail: {
      bootApi,
      idleApi,
      burstApi,
      afterApi,
      bootWorker,
      idleWorker,
      burstWorker,
      afterWorker,
      settleSeconds: SETTLE_S,
      idleApiHeap,
      burstApiHeap,
      afterApiHeap,
    },
  };
}
