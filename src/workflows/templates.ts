import jsonata from 'jsonata';
import { TemplateError } from './template-error';
import { guardStrings, jsonLengthUpTo, type StringBound } from './template-guards';

/** A string that is one whole template, and a template inside longer text. */
export const WHOLE = /^\{\{\s*([\s\S]+?)\s*\}\}$/;
export const EMBEDDED = /\{\{\s*([\s\S]+?)\s*\}\}/g;

/** Longest expression a template may hold, and how deeply its brackets may nest; checked before parsing. */
export const MAX_EXPRESSION_LENGTH = 10_000;
export const MAX_EXPRESSION_NESTING = 100;
/**
 * How deep a parsed expression's syntax tree may be: operators chain without brackets (`1+1+…+1`), and what
 * walks the tree (reading which steps it needs, evaluating it) recurses once per level.
 */
export const MAX_SYNTAX_DEPTH = 500;

export { TemplateError, type TemplateErrorCode } from './template-error';

/** The bounds of one evaluation. `timeoutMs` is enforced here cooperatively and by the thread pool's clock. */
export interface TemplateLimits {
  timeoutMs: number;
  maxDepth: number;
  maxSequence: number;
  maxOutputBytes: number;
  /** The longest string an evaluation may make (see template-guards.ts). */
  maxStringLength: number;
}

export type TemplateContext = unknown;

/** A template expression found in a step's input, with where it is. */
export interface TemplateExpression {
  path: string;
  expression: string;
}

/** Every `{{ … }}` expression in a value, in document order. */
export function templateExpressions(value: unknown, path = ''): TemplateExpression[] {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return [];
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('}}')) return [{ path, expression: whole[1] }];
    return [...value.matchAll(EMBEDDED)].map((m) => ({ path, expression: m[1] }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => templateExpressions(v, `${path}/${i}`));
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => templateExpressions(v, `${path}/${k}`));
  return [];
}

/** How deeply brackets nest outside string literals; parsing recurses once per level. */
function nesting(expression: string): number {
  let depth = 0;
  let deepest = 0;
  let quote = '';
  for (let i = 0; i < expression.length; i += 1) {
    const c = expression[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth -= 1;
  }
  return deepest;
}

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : 'invalid expression';
}

/** What JSONata bounds an evaluation by; it reads them each time an evaluation begins. */
interface EvaluationBounds {
  timeout: number;
  stack: number;
  sequence: number;
}

/** The bounds of a guarded evaluation: JSONata's, and the longest string ({@link guardStrings}). */
type GuardedBounds = EvaluationBounds & StringBound;

/**
 * Parses an expression (never evaluates it), refusing ones too long or too deeply nested to parse safely.
 * With `bounds`, the expression evaluates under them.
 */
export function compile(expression: string, path = '', bounds?: EvaluationBounds): jsonata.Expression {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new TemplateError(
      'TEMPLATE_TOO_LARGE',
      path,
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
  if (nesting(expression) > MAX_EXPRESSION_NESTING)
    throw new TemplateError(
      'TEMPLATE_TOO_DEEP',
      path,
      `the expression is nested more than ${MAX_EXPRESSION_NESTING} levels deep`,
    );
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, bounds);
  } catch (err) {
    if (err instanceof RangeError)
      throw new TemplateError('TEMPLATE_TOO_DEEP', path, 'the expression is nested too deeply to parse');
    throw new TemplateError('TEMPLATE_ERROR', path, messageOf(err));
  }
  if (syntaxDepth(compiled.ast()) > MAX_SYNTAX_DEPTH)
    throw new TemplateError(
      'TEMPLATE_TOO_DEEP',
      path,
      `the expression chains or nests more than ${MAX_SYNTAX_DEPTH} operations (its syntax tree is too deep)`,
    );
  return compiled;
}

/** The depth of a syntax tree, walked without recursion (a tree too deep for the stack is what it finds). */
function syntaxDepth(root: unknown): number {
  let deepest = 0;
  const seen = new Set<object>();
  const pending: [unknown, number][] = [[root, 1]];
  while (pending.length) {
    const [node, depth] = pending.pop()!;
    if (!node || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    deepest = Math.max(deepest, depth);
    // An array holds a node's children: it is no level of its own.
    if (Array.isArray(node)) for (const child of node) pending.push([child, depth]);
    else for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** A template that does not parse: where it is in the value checked, and why. */
export interface TemplateProblem {
  path: string;
  message: string;
}

/** The problems of every template in a value; parses only. */
export function templateProblems(value: unknown): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const { path, expression } of templateExpressions(value)) {
    try {
      compile(expression, path);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.push({ path, message: err.detail });
    }
  }
  return problems;
}

/** The limits of one rendering, and when its time is up: all its expressions share one budget. */
interface Budget {
  limits: TemplateLimits;
  deadline: number;
  /** What the values evaluated so far add to the rendered input, in JSON characters. */
  written: number;
}

/** Expressions parsed on this thread, kept for the next evaluation of the same text, at most this many. */
const PARSED_KEPT = 200;

/**
 * An expression parsed with the bounds it evaluates under, set anew before each evaluation (the time left
 * differs). `busy` while an evaluation of it runs.
 */
interface Parsed {
  compiled: jsonata.Expression;
  bounds: GuardedBounds;
  busy: boolean;
}

const parsed = new Map<string, Parsed>();

/**
 * The expression parsed, from {@link parsed} when it was parsed here before: a fan-out's 498 steps render the
 * same template, parsed once, not 498 times. An expression another evaluation is using is parsed again.
 */
async function parsedFor(expression: string, path: string): Promise<Parsed> {
  const kept = parsed.get(expression);
  if (kept && !kept.busy) return kept;
  const bounds = { timeout: 0, stack: 0, sequence: 0, maxString: 0 };
  const compiled = compile(expression, path, bounds);
  await guardStrings(compiled, bounds);
  const fresh = { compiled, bounds, busy: false };
  if (!kept) {
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
    parsed.set(expression, fresh);
  }
  return fresh;
}

async function evaluate(expression: string, context: TemplateContext, budget: Budget, path: string) {
  const { limits } = budget;
  const left = budget.deadline - Date.now();
  if (left <= 0) throw new TemplateError('TEMPLATE_TIMEOUT', path, `did not finish within ${limits.timeoutMs} ms`);
  const expr = await parsedFor(expression, path);
  Object.assign(expr.bounds, {
    timeout: left,
    stack: limits.maxDepth,
    sequence: limits.maxSequence,
    maxString: limits.maxStringLength,
  });
  expr.busy = true;
  try {
    return checked(await expr.compiled.evaluate(context), budget, path);
  } catch (err) {
    // A guard's refusal (template-guards.ts), also from inside `$eval`, which wraps it.
    const guard = err instanceof TemplateError ? err : (err as { error?: unknown } | null)?.error;
    if (guard instanceof TemplateError) throw new TemplateError(guard.code, path, guard.detail);
    // `$eval` reports the failure of the expression it evaluates as D3121, with the original message inside.
    const code = (err as { code?: unknown } | null)?.code;
    const inner = code === 'D3121' ? messageOf(err) : '';
    if (code === 'D1012' || inner.includes('Evaluation timeout'))
      throw new TemplateError('TEMPLATE_TIMEOUT', path, `did not finish within ${limits.timeoutMs} ms`);
    if (code === 'D1011' || err instanceof RangeError || /Stack overflow|call stack/.test(inner))
      throw new TemplateError(
        'TEMPLATE_TOO_DEEP',
        path,
        `recursed or nested deeper than ${limits.maxDepth} evaluation frames (about ${Math.floor(limits.maxDepth / 3)} nested function calls: each takes 3)`,
      );
    if (code === 'D2014' || code === 'D2015' || /maximum sequence length|must not exceed 1e7/.test(inner))
      throw new TemplateError('TEMPLATE_TOO_LARGE', path, `builds a sequence of more than ${limits.maxSequence} items`);
    throw new TemplateError('TEMPLATE_ERROR', path, messageOf(err));
  } finally {
    expr.busy = false;
  }
}

/**
 * An expression's value, once known to fit the rendered input with the values before it: measured, not
 * written, so that one listing a long string many times, or many expressions each near the limit, are
 * refused before their text exists; a function (not a value JSON holds) is refused.
 */
function checked(value: unknown, budget: Budget, path: string): unknown {
  const { maxOutputBytes } = budget.limits;
  const room = maxOutputBytes - budget.written;
  const length = jsonLengthUpTo(value, room);
  if (length > room)
    throw new TemplateError('TEMPLATE_TOO_LARGE', path, `the rendered input is larger than ${maxOutputBytes} bytes`);
  budget.written += length;
  return value;
}

async function render(value: unknown, context: TemplateContext, budget: Budget, path: string): Promise<unknown> {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('}}')) return (await evaluate(whole[1], context, budget, path)) ?? null;
    if (!value.includes('{{')) return value;
    const parts: string[] = [];
    let last = 0;
    for (const match of value.matchAll(EMBEDDED)) {
      const result = await evaluate(match[1], context, budget, path);
      parts.push(value.slice(last, match.index), typeof result === 'string' ? result : JSON.stringify(result ?? null));
      last = (match.index ?? 0) + match[0].length;
    }
    return parts.join('') + value.slice(last);
  }
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [i, v] of value.entries()) items.push(await render(v, context, budget, `${path}/${i}`));
    return items;
  }
  if (value && typeof value === 'object') {
    const entries: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      entries.push([k, await render(v, context, budget, `${path}/${k}`)]);
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * Renders `"{{ <JSONata> }}"` strings inside a step's input against `{input, steps}` and returns the result
 * as JSON text. A string that is one whole template takes the expression's value and type (number,
 * object, …); templates inside longer text are replaced by their text. Everything else is copied as it is.
 * Runs on a template thread (see TemplateEvaluator): the limits bound each expression's time, depth and
 * sequences, and the whole result's size.
 */
export async function renderTemplatesToJson(
  value: unknown,
  context: TemplateContext,
  limits: TemplateLimits,
): Promise<string> {
  const budget = { limits, deadline: Date.now() + limits.timeoutMs, written: 0 };
  const rendered = await render(value, context, budget, '');
  const json = JSON.stringify(rendered) ?? 'null';
  // Exact, in bytes: the values were counted in characters, and the text around them was not.
  if (Buffer.byteLength(json) > limits.maxOutputBytes)
    throw new TemplateError(
      'TEMPLATE_TOO_LARGE',
      '',
      `the rendered input is larger than ${limits.maxOutputBytes} bytes`,
    );
  return json;
}
