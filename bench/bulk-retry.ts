import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './context';
import type { Row } from './harness';
import { allFinished } from './throughput';

/** Failed tasks seeded for (l). */
export const BULK_TASKS = 100_000;
/** The target: the whole operation within this long. */
const TARGET_S = 60;
/** The longest the bench waits for the platform's worker to have run the retried tasks. */
const DRAIN_MS = 600_000;

/**
 * (l) A bulk retry of 100,000 failed tasks: the tasks are written straight into Postgres with generate_series
 * (as a long outage would leave them), then `POST /tasks/bulk` retries them all and the time until the
 * operation says `succeeded` is taken (every task back to queued and in the queue, a batch at a time). Then it
 * waits for the worker to have run them (reported, not a target), so that the next scenario has the machine.
 */
export async function bulkRetry({ db, call, agentId, worker }: BenchContext): Promise<Row> {
  await worker();
  const me = await call<{ id: string }>('/api/v1/auth/me');
  const seeded = Date.now();
  await db.query(
    `INSERT INTO tasks (agent_id, status, input, error, attempts, max_attempts, priority, backoff_ms, tags,
                        created_by, finished_at)
     SELECT $1, 'failed', jsonb_build_object('expression', i || ' / 0'),
            '{"code": "DIVISION_BY_ZERO", "message": "Division by zero"}', 1, 1, 5, 1000, ARRAY['bench-dead'],
            $2, now()
       FROM generate_series(1, $3) AS i`,
    [agentId, me.id, BULK_TASKS],
  );
  await db.query('ANALYZE tasks');
  const seedS = (Date.now() - seeded) / 1000;
  const started = Date.now();
  const op = await call<{ id: string; matched: number }>('/api/v1/tasks/bulk', {
    action: 'retry',
    filter: { tag: 'bench-dead', errorCode: 'DIVISION_BY_ZERO' },
  });
  let view: { status: string; done: number; failed: number };
  for (;;) {
    view = await call(`/api/v1/bulk-operations/${op.id}`);
    if (view.status === 'succeeded' || view.status === 'failed') break;
    if (Date.now() - started > 600_000) throw new Error('the bulk retry did not finish within 10 minutes');
    await sleep(200);
  }
  const seconds = (Date.now() - started) / 1000;
  // The retried tasks run on the main platform's worker after the operation has ended: the scenarios after (l)
  // must not share the machine with them.
  const drainStarted = Date.now();
  await allFinished(db, drainStarted + DRAIN_MS);
  const drainS = (Date.now() - drainStarted) / 1000;
  return {
    scenario: `(l) bulk retry of ${BULK_TASKS.toLocaleString('en')} failed tasks, until the operation succeeded`,
    value:
      `${seconds.toFixed(1)} s (${Math.round(BULK_TASKS / seconds)} tasks/s), ratio ${((seconds / TARGET_S) * 100).toFixed(0)} % ` +
      `of 60 s; matched ${op.matched}, done ${view.done}, failed ${view.failed} (seeded in ${seedS.toFixed(1)} s; ` +
      `the worker ran them ${drainS.toFixed(0)} s after)`,
    target: `≤ ${TARGET_S} s`,
    met: view.status === 'succeeded' && view.done === BULK_TASKS && seconds <= TARGET_S,
    detail: {
      seconds,
      seedSeconds: seedS,
      drainSeconds: drainS,
      matched: op.matched,
      done: view.done,
      failed: view.failed,
    },
  };
}
