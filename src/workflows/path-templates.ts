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

function renderValue(value: unknown, context: unknown): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('}}')) {
      if (!isPath(whole[1])) return NEEDS_JSONATA;
      return lookUp(whole[1], context) ?? null;
    }
    let out = '';
    let last = 0;
    for (const match of value.matchAll(EMBEDDED)) {
      if (!isPath(match[1])) return NEEDS_JSONATA;
      const result = lookUp(match[1], context);
      if (result === NEEDS_JSONATA) return result;
      out += value.slice(last, match.index) + (typeof result === 'string' ? result : JSON.stringify(result ?? null));
      last = match.index + match[0].length;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const rendered = renderValue(item, context);
      if (rendered === NEEDS_JSONATA) return rendered;
      items.push(rendered);
    }
    return items;
  }
  if (value && typeof value === 'object') {
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const rendered = renderValue(item, context);
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
  const rendered = renderValue(value, context);
  if (rendered === NEEDS_JSONATA) return rendered;
  const json = JSON.stringify(rendered) ?? 'null';
  if (Buffer.byteLength(json) > maxOutputBytes)
    throw new TemplateError('TEMPLATE_TOO_LARGE', '', `the rendered input is larger than ${maxOutputBytes} bytes`);
  return JSON.parse(json) as unknown;
}
