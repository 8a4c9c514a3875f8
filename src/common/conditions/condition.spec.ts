import { evaluateCondition, getPath, type Condition } from './condition';

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
