import { FakePurgeBatches, FakePurgeMetrics } from '../../test/fakes/task-retention';
import { pauseAfter, retentionCutoff, TaskRetention } from './task-retention';

const DAY = 86_400_000;

function setup(days: number, finishedDaysAgo: number[], batchSize = 2, intervalMs = 60_000, pauseFactor = 0) {
  const now = Date.now();
  const store = new FakePurgeBatches(finishedDaysAgo.map((d) => new Date(now - d * DAY)));
  const metrics = new FakePurgeMetrics();
  const retention = new TaskRetention(
    { taskRetention: { days, batchSize, intervalMs, pauseMs: 0, pauseFactor } },
    store,
    metrics,
  );
  return { store, metrics, retention };
}

/** Makes each of the store's statements take `ms`, and records when each began and ended. */
function slowStatements(store: FakePurgeBatches, ms: number): { from: number; to: number }[] {
  const times: { from: number; to: number }[] = [];
  const purge = store.purgeBatch.bind(store);
  store.purgeBatch = async (before, limit) => {
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const batch = await purge(before, limit);
    times.push({ from, to: Date.now() });
    return batch;
  };
  return times;
}

describe('retentionCutoff', () => {
  it('is the retention before now, and none when the retention is 0 (keep everything)', () => {
    expect(retentionCutoff(30, 100 * DAY)).toEqual(new Date(70 * DAY));
    expect(retentionCutoff(0, 100 * DAY)).toBeUndefined();
  });
});

describe('pauseAfter', () => {
  it('is the least pause after a quick statement, and the factor times a slow one', () => {
    expect(pauseAfter(10, { pauseMs: 50, pauseFactor: 1 })).toBe(50);
    expect(pauseAfter(80, { pauseMs: 50, pauseFactor: 1 })).toBe(80);
    expect(pauseAfter(80, { pauseMs: 50, pauseFactor: 2.5 })).toBe(200);
    expect(pauseAfter(80, { pauseMs: 0, pauseFactor: 0 })).toBe(0);
  });
});

describe('TaskRetention', () => {
  it('deletes nothing and asks nothing when the retention is 0', async () => {
    const { store, retention } = setup(0, [400, 500]);
    expect(await retention.run()).toMatchObject({ purged: 0, batches: 0 });
    expect(store.calls).toEqual([]);
    expect(store.finishedAt).toHaveLength(2);
  });

  it('purges the tasks older than the retention in batches until a batch is not full, and counts them', async () => {
    const { store, metrics, retention } = setup(30, [31, 40, 50, 60, 70, 1, 29]);
    const pass = await retention.run();
    // 5 old ones in batches of 2: 2 + 2 + 1, the last one not full.
    expect(pass).toMatchObject({ purged: 5, batches: 3 });
    expect(store.calls.map((c) => c.limit)).toEqual([2, 2, 2]);
    expect(store.finishedAt).toHaveLength(2);
    expect(metrics.purged).toBe(5);
  });

  it('asks once more after a full last batch, and a second pass finds nothing to do', async () => {
    const { store, retention } = setup(30, [31, 40, 50, 60]);
    expect(await retention.run()).toMatchObject({ purged: 4, batches: 3 });
    expect(await retention.run()).toMatchObject({ purged: 0, batches: 1 });
    expect(store.finishedAt).toEqual([]);
  });

  it('stops starting batches once the pass has used its share of the period, leaving the rest to the next', async () => {
    const { store, retention } = setup(
      30,
      Array.from({ length: 10 }, (_, i) => 40 + i),
      2,
      1,
    );
    slowStatements(store, 5);
    expect(await retention.run()).toMatchObject({ purged: 2, batches: 1 });
    expect(store.finishedAt).toHaveLength(8);
  });

  it('rests after each batch for the factor times the time its statement took, and counts that time', async () => {
    const { store, retention } = setup(30, [31, 40, 50, 60, 70], 2, 60_000, 3);
    const times = slowStatements(store, 20);
    const pass = await retention.run();
    expect(pass).toMatchObject({ purged: 5, batches: 3 });
    expect(pass.statementMs).toBeGreaterThanOrEqual(3 * 19);
    // Each statement took about 20 ms, so each pause is at least three times that (a timer may fire 1 ms early).
    for (let i = 1; i < times.length; i += 1) {
      const statement = times[i - 1].to - times[i - 1].from;
      expect(times[i].from - times[i - 1].to).toBeGreaterThanOrEqual(3 * statement - 2);
    }
  });
});
