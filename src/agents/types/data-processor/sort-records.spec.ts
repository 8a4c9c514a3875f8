import fc from 'fast-check';
import { getPath } from '../../../common/conditions/condition';
import { compareValues, SORT_SLICES, sortedSync, sortRecords } from './sort-records';

interface Row {
  id: number;
  k?: unknown;
  nested?: { k?: unknown };
}

/** The sort as it was, all at once: Array.prototype.sort reading the key at every comparison. */
function reference(records: Row[], by: string, order: 'asc' | 'desc'): Row[] {
  const direction = order === 'desc' ? -1 : 1;
  return [...records].sort((a, b) => direction * compareValues(getPath(a, by), getPath(b, by)));
}

// Keys of one kind per list (numbers, or text), missing and null ones mixed in: few distinct values, so ties
// are common and their order shows.
const missing = fc.constantFrom<unknown>(undefined, null);
const numberKey = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -0, 1e9), missing);
const textKey = fc.oneof(fc.constantFrom('a', 'A', 'á', 'b', 'B', '', 'a b', 'ab', '10', '9', true, false), missing);
const rows = (key: fc.Arbitrary<unknown>) =>
  fc
    .array(fc.tuple(key, fc.boolean()), { maxLength: 60 })
    .map((keys) =>
      keys.map(([k, nested], id): Row => (nested ? { id, nested: { k } } : k === undefined ? { id } : { id, k })),
    );
const slices = fc.record({ run: fc.integer({ min: 1, max: 7 }), merge: fc.integer({ min: 1, max: 5 }) });

describe('sortRecords', () => {
  it.each([
    ['numbers', numberKey],
    ['text', textKey],
  ])('gives what Array.prototype.sort gives, ties in input order (%s keys)', async (_kind, key) => {
    await fc.assert(
      fc.asyncProperty(
        rows(key),
        fc.constantFrom('k', 'nested.k'),
        fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
        slices,
        async (records, by, order, sizes) => {
          const expected = reference(records, by, order).map((r) => r.id);
          expect((await sortRecords(records, by, order, sizes)).map((r) => r.id)).toEqual(expected);
          expect(sortedSync(records, by, order).map((r) => r.id)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('puts missing and null values last in ascending order, first in descending, in their input order', async () => {
    const records = [{ k: 2 }, { k: null }, {}, { k: 1 }, { k: null, n: 1 }];
    const sizes = { run: 1, merge: 1 };
    const asc = [{ k: 1 }, { k: 2 }, { k: null }, {}, { k: null, n: 1 }];
    expect(await sortRecords(records, 'k', 'asc', sizes)).toEqual(asc);
    expect(sortedSync(records, 'k', 'asc')).toEqual(asc);
    const desc = [{ k: null }, {}, { k: null, n: 1 }, { k: 2 }, { k: 1 }];
    expect(await sortRecords(records, 'k', 'desc', sizes)).toEqual(desc);
    expect(sortedSync(records, 'k', 'desc')).toEqual(desc);
  });

  it('lets the event loop in while it sorts many records; all at once, it would not', async () => {
    const count = 5 * SORT_SLICES.run;
    const records = Array.from({ length: count }, (_, i) => ({ id: i, k: (i * 7919) % 1009 }));
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks += 1;
      if (running) setImmediate(tick);
    };
    const during = async (sort: () => Promise<Row[]> | Row[]) => {
      ticks = 0;
      running = true;
      setImmediate(tick);
      const sorted = await sort();
      running = false;
      const seen = ticks;
      // The last tick scheduled runs once more, after the sort.
      await new Promise((resolve) => setImmediate(resolve));
      return { sorted, seen };
    };
    const stepwise = await during(() => sortRecords(records, 'k'));
    // Five runs sorted one by one, merged in three rounds of slices: dozens of turns for other work.
    expect(stepwise.seen).toBeGreaterThanOrEqual(20);
    const atOnce = await during(() => sortedSync(records, 'k'));
    expect(atOnce.seen).toBe(0);
    expect(stepwise.sorted.map((r) => r.id)).toEqual(atOnce.sorted.map((r) => r.id));
  });
});
