import { setTimeout as sleep } from 'node:timers/promises';

/** Errors that mean "the database is not there right now", not "the statement is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e.driverError?.code ?? e.code ?? '';
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '08000',
      '08003',
      '08006',
      '08001',
      '08004',
    ].includes(code) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(e.message ?? '')
  );
}

/** The longest wait between two tries of a write while Postgres is unreachable. */
const MAX_DELAY_MS = 4000;
/** How long {@link withDbRetry} keeps trying by default (`DB_RETRY_MS`). */
export const DB_RETRY_BUDGET_MS = 30_000;

function delayOf(tries: number): number {
  return Math.min(250 * 2 ** (tries - 1), MAX_DELAY_MS);
}

/**
 * Retries a write while Postgres is briefly unreachable, for about `budgetMs` in all, so a worker rides out a
 * database restart. A task's outcome is retried for longer: {@link retryUntilStopped}.
 */
export async function withDbRetry<T>(fn: () => Promise<T>, budgetMs = DB_RETRY_BUDGET_MS): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let i = 1; ; i += 1) {
    try {
      return await fn();
    } catch (err) {
      const delay = delayOf(i);
      if (!isDatabaseUnavailable(err) || Date.now() + delay > deadline) throw err;
      await sleep(delay);
    }
  }
}

/**
 * What {@link retryUntilStopped} reports: `held` at a write's first failed try, `released` when that write ends
 * (`stored` false when it was given up).
 */
export interface RetryListener {
  held(err: unknown): void;
  released(stored: boolean): void;
}

/**
 * Retries a write while Postgres is unreachable, with waits capped at 4 s, until it is written or `stop` is
 * aborted (the process is shutting down): a result the process holds is given up only with the process. Once
 * stopped, a wait is cut short for one last try, and a failure then is thrown.
 */
export async function retryUntilStopped<T>(
  fn: () => Promise<T>,
  stop: AbortSignal,
  listener?: RetryListener,
): Promise<T> {
  let held = false;
  let stored = false;
  try {
    for (let i = 1; ; i += 1) {
      try {
        const result = await fn();
        stored = true;
        return result;
      } catch (err) {
        if (!isDatabaseUnavailable(err) || stop.aborted) throw err;
        if (!held) listener?.held(err);
        held = true;
        await sleep(delayOf(i), undefined, { signal: stop }).catch(() => undefined);
      }
    }
  } finally {
    if (held) listener?.released(stored);
  }
}
