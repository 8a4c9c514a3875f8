import { applyStep, type DataRecord, firstOfKey, Groups, setPath } from './pipeline';

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
