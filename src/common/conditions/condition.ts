import { isDeepStrictEqual } from 'node:util';

/**
 * The condition language of the contract: JSON data, never code.
 * `{field, op, value}` with a dotted path, combined with `{and: [...]}`, `{or: [...]}` and `{not: ...}`.
 */
export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type Condition =
  { field: string; op: ConditionOp; value?: unknown } | { and: Condition[] } | { or: Condition[] } | { not: Condition };

/** JSON Schema (2020-12) of a condition, for request and config validation. */
export const CONDITION_SCHEMA = {
  $id: 'ymera:condition',
  oneOf: [
    {
      title: 'Compare a field',
      type: 'object',
      required: ['field', 'op'],
      additionalProperties: false,
      properties: {
        field: { type: 'string', minLength: 1, maxLength: 200, description: 'A dotted path: customer.country' },
        op: { enum: [...CONDITION_OPS] },
        value: { description: 'As JSON: 10, "DE", ["DE", "FR"], true' },
      },
    },
    {
      title: 'All of (and)',
      type: 'object',
      required: ['and'],
      additionalProperties: false,
      properties: { and: { type: 'array', items: { $ref: 'ymera:condition' }, minItems: 1, maxItems: 50 } },
    },
    {
      title: 'Any of (or)',
      type: 'object',
      required: ['or'],
      additionalProperties: false,
      properties: { or: { type: 'array', items: { $ref: 'ymera:condition' }, minItems: 1, maxItems: 50 } },
    },
    {
      title: 'Not',
      type: 'object',
      required: ['not'],
      additionalProperties: false,
      properties: { not: { $ref: 'ymera:condition' } },
    },
  ],
} as const;

const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** True when a dotted path names an object's machinery (`__proto__`, `prototype`, `constructor`) at any depth. */
export function isUnsafePath(path: string): boolean {
  return path.split('.').some((segment) => UNSAFE_SEGMENTS.has(segment));
}

/**
 * JSON Schema for a dotted field path: refuses, at submission, a path that {@link getPath} could never read and
 * that must never be written through.
 */
export const SAFE_PATH_SCHEMA = {
  type: 'string',
  minLength: 1,
  not: {
    pattern: '(^|\\.)(__proto__|prototype|constructor)(\\.|$)',
    description: 'must not name __proto__, prototype or constructor',
  },
} as const;

/** Reads `a.b.c` from plain data; own properties only, so nothing outside the data is reachable. */
export function getPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.split('.')) {
    if (UNSAFE_SEGMENTS.has(segment) || current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Structural equality of JSON values: key order does not matter, array order does. */
function deepEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

export function evaluateCondition(condition: Condition, data: unknown): boolean {
  if ('and' in condition) return condition.and.every((c) => evaluateCondition(c, data));
  if ('or' in condition) return condition.or.some((c) => evaluateCondition(c, data));
  if ('not' in condition) return !evaluateCondition(condition.not, data);
  const actual = getPath(data, condition.field);
  const expected = condition.value;
  switch (condition.op) {
    case 'eq':
      return deepEqual(actual, expected);
    case 'ne':
      return !deepEqual(actual, expected);
    case 'gt':
      return (compare(actual, expected) ?? NaN) > 0;
    case 'gte':
      return (compare(actual, expected) ?? NaN) >= 0;
    case 'lt':
      return (compare(actual, expected) ?? NaN) < 0;
    case 'lte':
      return (compare(actual, expected) ?? NaN) <= 0;
    case 'in':
      return Array.isArray(expected) && expected.some((v) => deepEqual(actual, v));
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
      return Array.isArray(actual) && actual.some((v) => deepEqual(v, expected));
    case 'exists':
      return (actual !== undefined && actual !== null) === (expected === undefined ? true : Boolean(expected));
  }
}
