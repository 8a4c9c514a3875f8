/**
 * The condition language of the contract: JSON data, never code.
 * `{field, op, value}` with a dotted path, combined with `{and: [...]}`, `{or: [...]}` and `{not: ...}`.
 */
export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type Condition =
  { field: string; op: ConditionOp; value?: unknown } | { and: Condition[] } | { or: Condition[] } | { not: Condition };

/**
 * The most values an `in` list holds. Each record is looked up in the list once, in constant time, but the list
 * is read and indexed when the condition is first used; 1,000 is more than a hand-written list names (ids,
 * countries, statuses) and keeps the largest condition a task can bring to a few milliseconds' setup.
 */
export const MAX_IN_VALUES = 1000;

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
      // Bounded where the list is, so the field a too long one is refused on is its `value`.
      if: { required: ['op'], properties: { op: { const: 'in' } } },
      then: { properties: { value: { maxItems: MAX_IN_VALUES } } },
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

function walk(data: unknown, segments: string[]): unknown {
  let current: unknown = data;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Reads `a.b.c` from plain data; own properties only, so nothing outside the data is reachable. */
export function getPath(data: unknown, path: string): unknown {
  const segments = path.split('.');
  return segments.some((segment) => UNSAFE_SEGMENTS.has(segment)) ? undefined : walk(data, segments);
}

/** {@link getPath} for one path, split once: for a path read from many records. */
export function readerOf(path: string): (data: unknown) => unknown {
  const segments = path.split('.');
  if (segments.some((segment) => UNSAFE_SEGMENTS.has(segment))) return () => undefined;
  return (data) => walk(data, segments);
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/**
 * Structural equality with `expected`, as JSON says it: key order does not matter, array order does, `-0` is `0`
 * (as Postgres stores it, and as grouping and dedupe read it). Composites are compared by their
 * {@link canonical} form, `expected`'s made once.
 */
function equalTo(expected: unknown): (actual: unknown) => boolean {
  if (expected === null || typeof expected !== 'object') return (actual) => actual === expected;
  const form = canonical(expected, Infinity);
  const depth = depthOf(expected);
  return (actual) => actual !== null && typeof actual === 'object' && canonical(actual, depth) === form;
}

/**
 * A JSON value as one string, equal for two values exactly when they are equal ({@link equalTo}): keys sorted,
 * strings quoted, `-0` as `0`. Undefined when the value nests deeper than `depth`, where it cannot equal any
 * value that nests no deeper.
 */
function canonical(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? `${value}n` : String(value);
  if (depth === 0) return undefined;
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const part = canonical(item, depth - 1);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  for (const key of Object.keys(value).sort()) {
    const part = canonical((value as Record<string, unknown>)[key], depth - 1);
    if (part === undefined) return undefined;
    parts.push(`${JSON.stringify(key)}:${part}`);
  }
  return `{${parts.join(',')}}`;
}

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const item of Object.values(value as object)) deepest = Math.max(deepest, depthOf(item));
  return 1 + deepest;
}

/**
 * `in`: whether a value is one of the list's, each record in constant time: primitives in a Set (which takes
 * `-0` for `0`, as {@link equalTo} does), objects and arrays by their {@link canonical} form. The list is indexed
 * once, when the condition is compiled, not for every record.
 */
function membershipOf(list: unknown): (actual: unknown) => boolean {
  if (!Array.isArray(list)) return () => false;
  const primitives = new Set<unknown>();
  const composites = new Set<string>();
  let depth = 0;
  for (const value of list as unknown[]) {
    if (value === null || typeof value !== 'object') primitives.add(value);
    else {
      const form = canonical(value, Infinity);
      if (form !== undefined) composites.add(form);
      depth = Math.max(depth, depthOf(value));
    }
  }
  return (actual) => {
    if (actual === null || typeof actual !== 'object') return primitives.has(actual);
    if (composites.size === 0) return false;
    const form = canonical(actual, depth);
    return form !== undefined && composites.has(form);
  };
}

/** A condition ready to test many values: paths split and `in` lists indexed once. */
export interface CompiledCondition {
  matches(data: unknown): boolean;
  /** The field comparisons it runs on a value at most: what testing one record costs. */
  readonly comparisons: number;
}

function compile(condition: Condition): CompiledCondition {
  if ('and' in condition || 'or' in condition) {
    const parts = ('and' in condition ? condition.and : condition.or).map(compile);
    const comparisons = parts.reduce((sum, part) => sum + part.comparisons, 0);
    const every = 'and' in condition;
    return {
      comparisons,
      matches: every
        ? (data) => parts.every((part) => part.matches(data))
        : (data) => parts.some((part) => part.matches(data)),
    };
  }
  if ('not' in condition) {
    const inner = compile(condition.not);
    return { comparisons: inner.comparisons, matches: (data) => !inner.matches(data) };
  }
  const read = readerOf(condition.field);
  const expected = condition.value;
  const test = comparison(condition.op, expected);
  return { comparisons: 1, matches: (data) => test(read(data)) };
}

function comparison(op: ConditionOp, expected: unknown): (actual: unknown) => boolean {
  switch (op) {
    case 'eq':
      return equalTo(expected);
    case 'ne': {
      const equal = equalTo(expected);
      return (actual) => !equal(actual);
    }
    case 'gt':
      return (actual) => (compare(actual, expected) ?? NaN) > 0;
    case 'gte':
      return (actual) => (compare(actual, expected) ?? NaN) >= 0;
    case 'lt':
      return (actual) => (compare(actual, expected) ?? NaN) < 0;
    case 'lte':
      return (actual) => (compare(actual, expected) ?? NaN) <= 0;
    case 'in':
      return membershipOf(expected);
    case 'contains': {
      const equal = equalTo(expected);
      return (actual) => {
        if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
        return Array.isArray(actual) && actual.some(equal);
      };
    }
    case 'exists': {
      const wanted = expected === undefined ? true : Boolean(expected);
      return (actual) => (actual !== undefined && actual !== null) === wanted;
    }
  }
  // An op the schema would have refused matches nothing.
  return () => false;
}

// A condition is data that does not change once validated: the same object (a pipeline's filter, a step's
// `when`) is compiled once, however many records or runs test it.
const compiled = new WeakMap<Condition, CompiledCondition>();

/** The condition compiled, once per condition object. */
export function compileCondition(condition: Condition): CompiledCondition {
  let done = compiled.get(condition);
  if (!done) {
    done = compile(condition);
    compiled.set(condition, done);
  }
  return done;
}

/** Whether `data` matches the condition. */
export function evaluateCondition(condition: Condition, data: unknown): boolean {
  return compileCondition(condition).matches(data);
}
