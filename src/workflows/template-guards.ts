import jsonata from 'jsonata';
import { isStorableText } from '../common/storable-text';
import { TemplateError } from './template-error';

/**
 * Why the guards below exist: a template thread's heap limit stops an evaluation that allocates a great many
 * small things (the thread is ended and the step fails), but not one allocation far larger than what is left:
 * V8 then ends the whole process. One string of 100 MB (`$pad('x', 1e8)`, a string doubled 27 times and then
 * read, `$string` of one long value listed ten thousand times) is such an allocation. So no string an
 * evaluation makes may be longer than {@link maxStringLength}, and what would become one is measured before
 * it is built.
 */

/** The longest string an evaluation on a thread of `heapMb` may make: a sixteenth of its heap, in characters. */
export function maxStringLength(heapMb: number): number {
  return Math.floor((heapMb * 1024 * 1024) / 16);
}

function tooLong(max: number): TemplateError {
  return new TemplateError('TEMPLATE_TOO_LARGE', '', `makes a string longer than ${max} characters`);
}

/** A JSONata function (a lambda, a built-in, a regex): not a value JSON can hold, nor a step's input. */
function isFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (!value || typeof value !== 'object') return false;
  const f = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return f._jsonata_lambda === true || f._jsonata_function === true;
}

/** The characters JSON.stringify writes for a string: its quotes and escapes counted. */
function jsonStringLength(text: string): number {
  let length = text.length + 2;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) length += 1;
    else if (c < 0x20)
      length += 5; // \u00XX
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00)
      i += 1; // a pair: as is
    else if (c >= 0xd800 && c <= 0xdfff) length += 5; // a lone surrogate: \udXXX
  }
  return length;
}

/** How {@link jsonLengthUpTo} counts: with `indent` spaces a level (as `JSON.stringify(v, null, indent)`). */
interface JsonLengthOptions {
  indent?: number;
  /**
   * What the value is for: a step's input, which refuses what an input cannot hold (a function; a number beyond
   * a double, or not one, which JSON would write as null; text with a NUL or a lone surrogate, which Postgres
   * cannot store); or JSONata's `$string`, for which a function is `""`.
   */
  functions?: 'refuse' | 'empty';
}

const notStorable = (what: string): TemplateError =>
  new TemplateError('TEMPLATE_ERROR', '', `makes ${what}, which an input cannot hold`);

/**
 * How many characters `JSON.stringify(value)` would write (`$string`'s, for JSONata's values), counted without writing them, given up
 * once over `max` (then `max + 1`): every value counts one character or more, so a value that lists a long one
 * ten thousand times costs `max` steps, not ten thousand copies. By default a function, which JSON cannot hold
 * (a lambda would not even serialize: it refers to itself), is refused with `TEMPLATE_ERROR`.
 */
export function jsonLengthUpTo(value: unknown, max: number, options: JsonLengthOptions = {}): number {
  const indent = options.indent ?? 0;
  /** One line break and the indentation of `depth` levels, when indenting. */
  const line = (depth: number): number => (indent ? 1 + indent * depth : 0);
  const input = options.functions !== 'empty';
  const text = (item: string): number => {
    if (input && !isStorableText(item)) throw notStorable('text with a NUL character or an unpaired surrogate');
    return jsonStringLength(item);
  };
  let total = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length && total <= max) {
    const [item, depth] = stack.pop()!;
    if (typeof item === 'string') total += text(item);
    else if (input && typeof item === 'number' && !Number.isFinite(item))
      throw notStorable(`the number ${item}, which JSON cannot write`);
    else if (isFunction(item)) {
      if (options.functions !== 'empty')
        throw new TemplateError(
          'TEMPLATE_ERROR',
          '',
          'evaluates to a function, which is not a value an input can hold',
        );
      total += 2;
    } else if (Array.isArray(item)) {
      total += 2 + (item.length ? line(depth) + item.length * line(depth + 1) + item.length - 1 : 0);
      for (let i = item.length - 1; i >= 0 && total <= max; i -= 1) stack.push([item[i], depth + 1]);
    } else if (item && typeof item === 'object') {
      // Entries whose value is undefined are left out; each other one is `"key":value`, `: ` when indenting.
      const entries = Object.entries(item).filter(([, v]) => v !== undefined);
      total += 2 + (entries.length ? line(depth) + entries.length * (line(depth + 1) + 2 + (indent ? 1 : 0)) - 1 : 0);
      for (const [key, v] of entries) {
        total += text(key);
        stack.push([v, depth + 1]);
        if (total > max) break;
      }
    } else total += item === undefined ? 4 : String(item).length; // undefined in an array: null
  }
  return Math.min(total, max + 1);
}

interface Builtin {
  implementation: (...args: unknown[]) => unknown;
}

/** JSONata's own `$pad`, `$join` and `$string`, which the guarded versions call once the size is known. */
let builtins: Promise<Record<'pad' | 'join' | 'string', Builtin>> | undefined;

function loadBuiltins(): Promise<Record<'pad' | 'join' | 'string', Builtin>> {
  builtins ??= (async () => {
    const [pad, join, string] = (await Promise.all(
      ['pad', 'join', 'string'].map((name) => jsonata(`$${name}`).evaluate(null)),
    )) as Builtin[];
    return { pad, join, string };
  })();
  return builtins;
}

/** What a guarded expression reads its bound from: set before each evaluation, like JSONata's own bounds. */
export interface StringBound {
  maxString: number;
}

const EVALUATE_EXIT = Symbol.for('jsonata.__evaluate_exit') as unknown as string;

/**
 * Makes `compiled` refuse, with `TEMPLATE_TOO_LARGE`, to make a string longer than `bound.maxString`: every
 * step's result is checked as the evaluation leaves it (a string's length is known without reading it), and
 * the functions that build a long string from short arguments (`$pad`, `$join`, `$string`) check what they
 * would build first. The same guards hold inside `$eval`, which evaluates in the caller's environment.
 */
export async function guardStrings(compiled: jsonata.Expression, bound: StringBound): Promise<void> {
  const { pad, join, string } = await loadBuiltins();
  compiled.assign(EVALUATE_EXIT, (_expr: unknown, _input: unknown, _env: unknown, result: unknown) => {
    if (typeof result === 'string' && result.length > bound.maxString) throw tooLong(bound.maxString);
  });
  compiled.registerFunction(
    'pad',
    (text: string | undefined, width: number, char?: string) => {
      if (Math.abs(Math.trunc(width)) > bound.maxString) throw tooLong(bound.maxString);
      return pad.implementation(text, width, char);
    },
    '<s-ns?:s>',
  );
  compiled.registerFunction(
    'join',
    (texts: string[] | undefined, separator?: string) => {
      if (texts !== undefined) {
        const items = Array.isArray(texts) ? texts : [texts];
        let length = (separator ?? '').length * Math.max(0, items.length - 1);
        for (const item of items) length += typeof item === 'string' ? item.length : 0;
        if (length > bound.maxString) throw tooLong(bound.maxString);
      }
      return join.implementation(texts, separator);
    },
    '<a<s>s?:s>',
  );
  compiled.registerFunction(
    'string',
    (value: unknown, prettify?: boolean) => {
      const max = bound.maxString;
      if (
        typeof value !== 'string' &&
        jsonLengthUpTo(value, max, { indent: prettify ? 2 : 0, functions: 'empty' }) > max
      )
        throw tooLong(max);
      return string.implementation(value, prettify);
    },
    '<x-b?:s>',
  );
}
