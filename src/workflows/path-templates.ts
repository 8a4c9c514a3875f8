import { EMBEDDED, TemplateError, templateExpressions, WHOLE } from './templates';

/** `steps.fetch.output.items`: names joined by dots, nothing else. */
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Names JSONata reads as operators or literals, not as fields. */
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null']);

/** What {@link renderPaths} returns for a value it cannot render itself: JSONata must. */
export const NEEDS_JSONATA: unique symbol = Symbol('needs JSONata');

/** Whether an expression is a plain path of field names (`steps.fetch.output.items`). */
function isPath(expression: string): boolean {
  return PATH.test(expression) && !expression.split('.').some((name) => RESERVED.has(name));
}

/** Whether every template in a value is a plain path, so that {@link renderPaths} renders it (arrays aside). */
export function onlyPaths(value: unknown): boolean {
  return templateExpressions(value).every(({ expression }) => isPath(expression));
}

/**
 * A plain path looked up as JSONata would: each name a field of an object (absent, or the field of a string,
 * a number or null, is undefined). Where JSONata's own rules would apply, a field read from an array (which
 * maps over it), it gives up.
 */
function lookUp(expression: string, context: unknown): unknown {
  let value = context;
  for (const name of expression.split('.')) {
    if (Array.isArray(value)) return NEEDS_JSONATA;
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/**
 * What a rendering may still produce, counted as it goes: a short input repeating one long value thousands of
 * times is refused before its text is built, not after (the template threads' heap limit bounded it there).
 * Each path's size is measured once.
 */
interface Budget {
  max: number;
  left: number;
  sizes: Map<string, number>;
}

function tooLarge(max: number): TemplateError {
  return new TemplateError('TEMPLATE_TOO_LARGE', '', `the rendered input is larger than ${max} bytes`);
}

/** Looks `expression` up and counts its value against the budget. */
function take(expression: string, context: unknown, budget: Budget): unknown {
  const value = lookUp(expression, context);
  if (value === NEEDS_JSONATA) return value;
  let size = budget.sizes.get(expression);
  if (size === undefined) {
    size = (JSON.stringify(value) ?? 'null').length;
    budget.sizes.set(expression, size);
  }
  budget.left -= size;
  if (budget.left < 0) throw tooLarge(budget.max);
  return value;
}

function renderValue(value: unknown, context: unknown, budget: Budget): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('}}')) {
      if (!isPath(whole[1])) return NEEDS_JSONATA;
      return take(whole[1], context, budget) ?? null;
    }
    let out = '';
    let last = 0;
    for (const match of value.matchAll(EMBEDDED)) {
      if (!isPath(match[1])) return NEEDS_JSONATA;
      const result = take(match[1], context, budget);
      if (result === NEEDS_JSONATA) return result;
      out += value.slice(last, match.index) + (typeof result === 'string' ? result : JSON.stringify(result ?? null));
      last = match.index + match[0].length;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const rendered = renderValue(item, context, budget);
      if (rendered === NEEDS_JSONATA) return rendered;
      items.push(rendered);
    }
    return items;
  }
  if (value && typeof value === 'object') {
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const rendered = renderValue(item, context, budget);
      if (rendered === NEEDS_JSONATA) return rendered;
      entries.push([key, rendered]);
    }
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * Renders a step input whose templates are all plain paths (`{{ steps.fetch.output.items }}`, the common
 * case: a fan-out's 498 branches each read one field) here, as the template threads would, with none of
 * their cost: a lookup has no loop to bound and no expression to parse. Anything else, or a path that reads
 * through an array, is {@link NEEDS_JSONATA}. The result is a copy (through JSON), within `maxOutputBytes`.
 */
export function renderPaths(value: unknown, context: unknown, maxOutputBytes: number): unknown {
  const rendered = renderValue(value, context, { max: maxOutputBytes, left: maxOutputBytes, sizes: new Map() });
  if (rendered === NEEDS_JSONATA) return rendered;
  const json = JSON.stringify(rendered) ?? 'null';
  if (Buffer.byteLength(json) > maxOutputBytes) throw tooLarge(maxOutputBytes);
  return JSON.parse(json) as unknown;
}
