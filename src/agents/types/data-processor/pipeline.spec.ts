import type { Condition } from '../../../common/conditions/condition';
import {
  applyStep,
  applySteps,
  type DataRecord,
  filterRecords,
  FILTER_SLICE_COMPARISONS,
  firstOfKey,
  Groups,
  type PipelineStep,
  runSteps,
  setPath,
} from './pipeline';

const records: DataRecord[] = [
  { id: 1, amount: 10, note: 'a', customer: { country: 'DE' } },
  { id: 2, amount: 30, note: null, customer: { country: 'FR' } },
  { id: 3, amount: 'n/a', note: 'b', customer: { country: 'DE' } },
  { id: 4, amount: 5, customer: { country: 'DE' } },
  { id: 5, note: 'c' },
];

describe('data-processor pipeline: group', () => {
  const step = {
    group: {
      by: 'customer.country',
      aggregates: {
        total: { op: 'sum' as const, field: 'amount' },
        mean: { op: 'avg' as const, field: 'amount' },
        low: { op: 'min' as const, field: 'amount' },
        top: { op: 'max' as const, field: 'amount' },
        n: { op: 'count' as const },
        notes: { op: 'count' as const, field: 'note' },
        none: { op: 'sum' as const, field: 'missing' },
      },
    },
  };
  const expected = [
    { customer: { country: 'DE' }, total: 15, mean: 7.5, low: 5, top: 10, n: 3, notes: 2, none: null },
    { customer: { country: 'FR' }, total: 30, mean: 30, low: 30, top: 30, n: 1, notes: 0, none: null },
    { customer: { country: null }, total: null, mean: null, low: null, top: null, n: 1, notes: 1, none: null },
  ];

  it('aggregates the numbers of each group, in the order the groups first appear', () => {
    expect(applyStep(records, step)).toEqual(expected);
  });

  it('gives the same a record at a time, whatever the chunks', () => {
    const groups = new Groups(step.group);
    for (const record of records) groups.add(record);
    expect(groups.results()).toEqual(expected);
  });

  it('groups by several fields, keeping each as its group’s first record has it', () => {
    const step = { group: { by: ['customer.country', 'note'], aggregates: { n: { op: 'count' as const } } } };
    expect(applyStep(records.slice(0, 4), step)).toEqual([
      { customer: { country: 'DE' }, note: 'a', n: 1 },
      { customer: { country: 'FR' }, note: null, n: 1 },
      { customer: { country: 'DE' }, note: 'b', n: 1 },
      { customer: { country: 'DE' }, note: null, n: 1 },
    ]);
  });
});

describe('data-processor pipeline: dedupe', () => {
  it('keeps the first record of each key', () => {
    expect(applyStep(records, { dedupe: { by: 'customer.country' } }).map((r) => r.id)).toEqual([1, 2, 5]);
  });

  it('remembers the keys it saw across calls of the same test', () => {
    const first = firstOfKey(['customer.country', 'note']);
    expect(
      records
        .slice(0, 3)
        .filter(first)
        .map((r) => r.id),
    ).toEqual([1, 2, 3]);
    expect([...records, records[0]].filter(first).map((r) => r.id)).toEqual([4, 5]);
  });
});

describe('data-processor pipeline: paths that name an object’s machinery', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('writes nothing through __proto__, prototype or constructor, even when the schema was bypassed', () => {
    const out: DataRecord = {};
    for (const path of ['__proto__.polluted', 'a.__proto__.polluted', 'constructor.prototype.polluted', 'prototype'])
      setPath(out, path, 1);
    expect(out).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('groups by such a path without touching any prototype', () => {
    const step = { group: { by: ['__proto__.polluted'], aggregates: { n: { op: 'count' as const } } } };
    expect(applyStep([{ a: 1 }, { a: 2 }], step)).toEqual([{ n: 2 }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps an aggregate named __proto__ as data, not as the record’s prototype', () => {
    const aggregates = JSON.parse('{"__proto__": {"op": "count"}}') as Record<string, { op: 'count' }>;
    const [group] = applyStep([{ a: 1 }], { group: { by: 'a', aggregates } });
    expect(Object.getPrototypeOf(group)).toBe(Object.prototype);
    expect(Object.hasOwn(group, '__proto__')).toBe(true);
  });

  it('still writes nested ordinary paths', () => {
    const out: DataRecord = {};
    setPath(out, 'a.b.c', 1);
    setPath(out, 'a.d', 2);
    expect(out).toEqual({ a: { b: { c: 1 }, d: 2 } });
  });
});

describe('data-processor pipeline: filter and sort taking turns with the event loop', () => {
  /** How many turns the event loop had while `work` ran. */
  async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
    let turns = 0;
    let running = true;
    const tick = () => {
      turns += 1;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const result = await work();
    running = false;
    const seen = turns;
    await new Promise((resolve) => setImmediate(resolve));
    return { result, turns: seen };
  }

  // 2,500 comparisons a record: or-lists nest, 50 of 50.
  const wide: Condition = {
    or: Array.from({ length: 50 }, (_, i) => ({
      or: Array.from({ length: 50 }, (_, j) => ({ field: 'n', op: 'eq' as const, value: i * 50 + j + 1_000_000 })),
    })),
  };
  const many = Array.from({ length: 2000 }, (_, n) => ({ n: n % 7 === 0 ? 1_000_000 + n : n }));

  it('filters with a condition of thousands of comparisons in turns, keeping what a filter at once keeps', async () => {
    const { result, turns } = await turnsDuring(() => filterRecords(many, wide));
    expect(result).toEqual(applyStep(many, { filter: { where: wide } }));
    expect(result.length).toBeGreaterThan(0);
    // 2,000 records of 2,500 comparisons, FILTER_SLICE_COMPARISONS at a time.
    expect(turns).toBeGreaterThanOrEqual(Math.floor((2000 * 2500) / FILTER_SLICE_COMPARISONS) - 1);
    // A condition of one comparison filters the same records at once.
    const small = await turnsDuring(() => filterRecords(many, { field: 'n', op: 'gt', value: 10 }));
    expect(small.turns).toBe(0);
  });

  it('runs the steps as applySteps does', async () => {
    const steps: PipelineStep[] = [
      {
        filter: {
          where: {
            or: [
              { field: 'amount', op: 'gte', value: 10 },
              { field: 'note', op: 'exists' },
            ],
          },
        },
      },
      { sort: { by: 'customer.country', order: 'desc' } },
      { select: { fields: ['id', 'customer.country'] } },
      { dedupe: { by: 'customer.country' } },
      { limit: { count: 2 } },
    ];
    expect(await runSteps(records, steps)).toEqual(applySteps(records, steps));
    expect(await runSteps(records, steps)).toEqual([{ id: 5 }, { id: 2, customer: { country: 'FR' } }]);
  });
});
