import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { SchemaValidator } from '../schema/schema-validator';
import { compileCondition, evaluateCondition, getPath, MAX_IN_VALUES, type Condition } from './condition';

const order = { total: 120, status: 'paid', tags: ['vip', 'eu'], customer: { country: 'DE', name: 'Ada' } };

describe('condition language', () => {
  it.each<[Condition, boolean]>([
    [{ field: 'total', op: 'gt', value: 100 }, true],
    [{ field: 'total', op: 'lte', value: 100 }, false],
    [{ field: 'customer.country', op: 'eq', value: 'DE' }, true],
    [{ field: 'customer.country', op: 'in', value: ['FR', 'DE'] }, true],
    [{ field: 'tags', op: 'contains', value: 'vip' }, true],
    [{ field: 'customer.name', op: 'contains', value: 'Ad' }, true],
    [{ field: 'customer.email', op: 'exists' }, false],
    [{ field: 'customer.email', op: 'exists', value: false }, true],
    [{ field: 'status', op: 'ne', value: 'paid' }, false],
    [
      {
        and: [
          { field: 'total', op: 'gte', value: 120 },
          { field: 'status', op: 'eq', value: 'paid' },
        ],
      },
      true,
    ],
    [
      {
        or: [
          { field: 'total', op: 'lt', value: 10 },
          { field: 'tags', op: 'contains', value: 'eu' },
        ],
      },
      true,
    ],
    [{ not: { field: 'status', op: 'eq', value: 'paid' } }, false],
    [{ field: 'total', op: 'gt', value: '100' }, false],
  ])('%j → %s', (condition, expected) => {
    expect(evaluateCondition(condition, order)).toBe(expected);
  });

  it('compares objects structurally: key order does not change the answer, array order does', () => {
    const reordered = { name: 'Ada', country: 'DE' };
    expect(evaluateCondition({ field: 'customer', op: 'eq', value: reordered }, order)).toBe(true);
    expect(evaluateCondition({ field: 'customer', op: 'ne', value: reordered }, order)).toBe(false);
    expect(evaluateCondition({ field: 'customer', op: 'in', value: [{ x: 1 }, reordered] }, order)).toBe(true);
    expect(evaluateCondition({ field: 'tags', op: 'eq', value: ['eu', 'vip'] }, order)).toBe(false);
    expect(evaluateCondition({ field: 'customer', op: 'eq', value: { ...reordered, extra: null } }, order)).toBe(false);
    expect(evaluateCondition({ field: 'tags', op: 'eq', value: { 0: 'vip', 1: 'eu' } }, order)).toBe(false);
  });

  it('never reaches outside the data', () => {
    expect(getPath(order, '__proto__.constructor')).toBeUndefined();
    expect(getPath(order, 'customer.constructor')).toBeUndefined();
    expect(getPath(order, 'total.toFixed')).toBeUndefined();
    expect(getPath(order, 'customer.country')).toBe('DE');
  });
});

/** The same JSON value built again with every object's keys in the reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe('condition language: `in`', () => {
  // Few distinct leaves, so lists and values often hold equal ones: -0 and 0, "1" and 1, [] and {}.
  const leaf = fc.constantFrom<unknown>(0, -0, 1, '1', 'a', '', true, false, null, 1.5, 1e21);
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('json'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__'), tie('json'), { maxKeys: 3, noNullPrototype: true }),
    ),
  }));

  it('matches exactly when some value of the list is structurally equal, as `eq` says it', () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 8 }), json, fc.boolean(), (list, other, pick) => {
        // Half the time the value is one of the list's, its keys in another order.
        const actual = pick && list.length > 0 ? reordered(list[list.length - 1]) : other;
        // Equal as JSON: -0 is written 0.
        const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
        const expected = list.some((v) => isDeepStrictEqual(asJson(actual), asJson(v)));
        expect(evaluateCondition({ field: 'x', op: 'in', value: list }, { x: actual })).toBe(expected);
        const eqs: Condition = { or: list.map((value) => ({ field: 'x', op: 'eq' as const, value })) };
        if (list.length > 0) expect(evaluateCondition(eqs, { x: actual })).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes -0 for 0 but tells a string from a number, as `eq` does; a list that is not a list matches nothing', () => {
    expect(evaluateCondition({ field: 'x', op: 'in', value: [0] }, { x: -0 })).toBe(true);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [-0] }, { x: 0 })).toBe(true);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [{ a: [0] }] }, { x: { a: [-0] } })).toBe(true);
    expect(evaluateCondition({ field: 'x', op: 'eq', value: 0 }, { x: -0 })).toBe(true);
    expect(evaluateCondition({ field: 'x', op: 'eq', value: { a: [-0] } }, { x: { a: [0] } })).toBe(true);
    expect(evaluateCondition({ field: 'x', op: 'ne', value: -0 }, { x: 0 })).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'contains', value: 0 }, { x: [1, -0] })).toBe(true);
    expect(evaluateCondition({ field: 'x', op: 'in', value: ['1'] }, { x: 1 })).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [[1, 2]] }, { x: { 0: 1, 1: 2 } })).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'in', value: 'abc' }, { x: 'abc' })).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [null] }, {})).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [null] }, { x: null })).toBe(true);
  });

  it('reads the list once, when the condition is compiled, not once per record', () => {
    let reads = 0;
    const value = Array.from({ length: MAX_IN_VALUES }, (_, i) => {
      const item = {};
      Object.defineProperty(item, 'a', { enumerable: true, get: () => (reads++, i) });
      return item;
    });
    const condition: Condition = { not: { field: 'k', op: 'in', value } };
    const { matches } = compileCondition(condition);
    const indexing = reads;
    expect(indexing).toBeGreaterThan(0);
    const records = Array.from({ length: 500 }, (_, i) => ({ k: { a: i % 2 === 0 ? -1 : i } }));
    expect(records.filter(matches)).toHaveLength(250);
    expect(records.filter((r) => evaluateCondition(condition, r))).toHaveLength(250);
    // The list was read to index it; the 1,000 records tested since read none of it.
    expect(reads).toBe(indexing);
  });

  it('a value nested deeper than any of the list’s is not in it, and is not read to the bottom', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(evaluateCondition({ field: 'x', op: 'in', value: [[1], { a: 1 }] }, { x: deep })).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [[[1]]] }, { x: [[[1]]] })).toBe(false);
    expect(evaluateCondition({ field: 'x', op: 'in', value: [[[1]]] }, { x: [[1]] })).toBe(true);
  });

  it('counts the comparisons a record costs', () => {
    const leafOf = (field: string): Condition => ({ field, op: 'exists' });
    const condition: Condition = { or: [leafOf('a'), { not: { and: [leafOf('b'), leafOf('c')] } }, leafOf('d')] };
    expect(compileCondition(condition).comparisons).toBe(4);
  });
});

describe('condition schema', () => {
  const validator = new SchemaValidator();
  const check = (condition: unknown) => validator.validate({ $ref: 'ymera:condition' }, condition, '/where');
  const list = (n: number) => Array.from({ length: n }, (_, i) => ({ a: i }));

  it(`takes an \`in\` list of up to ${MAX_IN_VALUES} values, and refuses a longer one on its value`, () => {
    expect(check({ field: 'k', op: 'in', value: list(MAX_IN_VALUES) }).valid).toBe(true);
    for (const [condition, field] of [
      [{ field: 'k', op: 'in', value: list(40_000) }, '/where/value'],
      [
        { or: [{ field: 'a', op: 'eq', value: 1 }, { not: { field: 'k', op: 'in', value: list(1001) } }] },
        '/where/or/1/not/value',
      ],
    ] as const) {
      const result = check(condition);
      expect(result.valid).toBe(false);
      if (!result.valid)
        expect(result.errors).toContainEqual({ field, message: `must NOT have more than ${MAX_IN_VALUES} items` });
    }
  });

  it('leaves the other ops’ values as they were, a list or not', () => {
    expect(check({ field: 'k', op: 'eq', value: list(MAX_IN_VALUES + 1) }).valid).toBe(true);
    expect(check({ field: 'k', op: 'in', value: 'DE' }).valid).toBe(true);
  });
});
