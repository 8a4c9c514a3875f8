import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('sends what is submitted together as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3].map((i) => batcher.submit(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects what arrives while a batch runs into the next one, up to maxSize', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await first;
        return items;
      },
      { maxSize: 2 },
    );
    const a = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((i) => batcher.submit(i));
    release();
    await Promise.all([a, ...rest]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('never puts two items with the same key in one batch', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<{ id: string; n: number }, number>(
      async (items) => {
        batches.push(items.map((i) => `${i.id}${i.n}`));
        return items.map((i) => i.n);
      },
      { keyOf: (item) => item.id },
    );
    await Promise.all([
      batcher.submit({ id: 'a', n: 1 }),
      batcher.submit({ id: 'b', n: 2 }),
      batcher.submit({ id: 'a', n: 3 }),
    ]);
    expect(batches).toEqual([['a1', 'b2'], ['a3']]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => {
      if (items.includes(2)) throw new Error('bad item');
      return items;
    });
    const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('bad item'));
  });

  it('with retryEachItem off, fails every item of a failed batch and runs nothing twice', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        runs.push(items);
        throw new Error('down');
      },
      { retryEachItem: false },
    );
    const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(runs).toEqual([[1, 2, 3]]);
  });
});
