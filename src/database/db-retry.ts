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

/**
 * Retries a state write while Postgres is briefly unreachable (about 30 s in all), so a worker rides out
 * a database restart instead of losing the result it holds.
 */
export async function withDbRetry<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isDatabaseUnavailable(err)) throw err;
      await sleep(Math.min(250 * 2 ** (i - 1), 4000));
    }
  }
}
