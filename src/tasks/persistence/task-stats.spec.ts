import type { DataSource } from 'typeorm';
import type { ReadDatabase } from '../../database/read-database';
import { TaskStats } from './task-stats';

/** A database whose statements wait until released, answering what each kind of statement answers. */
class HeldDatabase {
  readonly statements: { sql: string; params: unknown[] }[] = [];
  /** When set, the next statement fails at once, as on a lost connection; the flag is then cleared. */
  failNext = false;
  private readonly held: (() => void)[] = [];

  query(sql: string, params: unknown[]): Promise<unknown[]> {
    this.statements.push({ sql, params });
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('connection lost'));
    }
    const rows = sql.includes('percentile_cont')
      ? []
      : sql.includes("'running'") && !sql.includes('date_bin')
        ? [{ n: 2 }]
        : [];
    return new Promise((resolve) => this.held.push(() => resolve(rows)));
  }

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

const reads = (db: HeldDatabase): ReadDatabase =>
  ({ reader: () => db as unknown as DataSource }) as Pick<ReadDatabase, 'reader'> as ReadDatabase;

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('TaskStats', () => {
  it('shares a snapshot being computed with the requests for the same scope that arrive meanwhile', async () => {
    const db = new HeldDatabase();
    const stats = new TaskStats(reads(db));
    const first = stats.snapshot();
    const second = stats.snapshot();
    const own = stats.snapshot('user-1');
    await flush();
    expect(db.statements).toHaveLength(8); // four for every task, four for user-1's
    expect(db.statements.filter((s) => s.params.includes('user-1'))).toHaveLength(4);
    db.release();
    const [a, b, c] = await Promise.all([first, second, own]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(a.running).toBe(2);
  });

  it('computes a fresh one for a request after the last one is done, or failed', async () => {
    const db = new HeldDatabase();
    const stats = new TaskStats(reads(db));
    const first = stats.snapshot();
    await flush();
    db.release();
    await first;
    const next = stats.snapshot();
    await flush();
    expect(db.statements).toHaveLength(8);
    db.release();
    expect(await next).not.toBe(await first);

    const failing = new HeldDatabase();
    failing.failNext = true;
    const broken = new TaskStats(reads(failing));
    await expect(Promise.all([broken.snapshot(), broken.snapshot()])).rejects.toThrow('connection lost');
    const retried = broken.snapshot();
    await flush();
    expect(failing.statements).toHaveLength(8); // four for the failed snapshot, four for the fresh one
    failing.release();
    await expect(retried).resolves.toMatchObject({ running: 2 });
  });
});
