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

  it('never reaches outside the data', () => {
    expect(getPath(order, '__proto__.constructor')).toBeUndefined();
    expect(getPath(order, 'customer.constructor')).toBeUndefined();
    expect(getPath(order, 'total.toFixed')).toBeUndefined();
    expect(getPath(order, 'customer.country')).toBe('DE');
  });
});
