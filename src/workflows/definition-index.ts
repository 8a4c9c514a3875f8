import type { Condition } from '../common/conditions/condition';
import type { ErrorDetail } from '../common/errors/app.error';
import type { SchemaValidator } from '../common/schema/schema-validator';
import { onlyPaths } from './path-templates';
import { compile, templateExpressions } from './templates';
import { conditionProblems, isTaskStep, stepTemplate, type WorkflowStep } from './workflow-definition';

/** The steps a step's templates and condition read (`steps.<id>`), or `all` when that cannot be told. */
export type StepRefs = ReadonlySet<string> | 'all';

/**
 * What advancing a run needs to know of its definition, worked out once per workflow version instead of on
 * every event: each step by id, who depends on it, the steps nothing depends on, and which other steps each
 * step's templates and condition read, so a step's context holds those only.
 */
export interface DefinitionIndex {
  readonly steps: readonly WorkflowStep[];
  readonly byId: ReadonlyMap<string, WorkflowStep>;
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** Steps no other step depends on: their outputs make the run's output. */
  readonly terminal: ReadonlySet<string>;
  readonly refs: ReadonlyMap<string, StepRefs>;
  /** Steps whose input (or `until`) holds a template: those are rendered on the template threads. */
  readonly rendered: ReadonlySet<string>;
  /** Of those, the steps whose templates are all plain paths: rendered at once, without a thread. */
  readonly inline: ReadonlySet<string>;
  /** Only task steps: no waits, so a run of it advances step by step without looking at the others. */
  readonly taskOnly: boolean;
}

export function indexDefinition(steps: readonly WorkflowStep[]): DefinitionIndex {
  const dependents = new Map<string, string[]>(steps.map((s) => [s.id, []]));
  for (const step of steps) for (const dep of step.dependsOn ?? []) dependents.get(dep)?.push(step.id);
  const refs = new Map<string, StepRefs>();
  const rendered = new Set<string>();
  const inline = new Set<string>();
  // Each expression parsed once: a fan-out's 498 branches hold the same one.
  const parsed = new Map<string, StepRefs>();
  const refsOf = (expression: string): StepRefs => {
    if (!parsed.has(expression)) parsed.set(expression, expressionRefs(expression));
    return parsed.get(expression)!;
  };
  for (const step of steps) {
    const template = stepTemplate(step)?.value;
    const expressions = template === undefined ? [] : templateExpressions(template).map((e) => e.expression);
    if (expressions.length) rendered.add(step.id);
    if (expressions.length && onlyPaths(template)) inline.add(step.id);
    refs.set(step.id, mergeRefs([...expressions.map(refsOf), ...(step.when ? [conditionRefs(step.when)] : [])]));
  }
  return {
    steps,
    byId: new Map(steps.map((s) => [s.id, s])),
    dependents,
    terminal: new Set(steps.filter((s) => !dependents.get(s.id)?.length).map((s) => s.id)),
    refs,
    rendered,
    inline,
    taskOnly: steps.every(isTaskStep),
  };
}

/** What templates and conditions are evaluated against ({@link contextOf}): the run's input and its steps. */
const CONTEXT = new Set(['input', 'steps']);
/** What the context holds of each step it has. */
const STEP_FIELDS = new Set(['output', 'status']);
/** The condition language's schema, one object: the validator compiles it once. */
const CONDITION = { $ref: 'ymera:condition' };

/**
 * What a definition reads that will not be there when it is read, named on the step's field (`input`, `until`,
 * `when`): at run time it renders nothing, fails for a reason that hides this one, or makes a condition false.
 * A step the definition does not have (`steps.nope`); a step not finished when this one starts (only those it
 * depends on, directly or through others, are); a field a step does not have (`steps.a.error`); a name outside
 * the context (`task` for `input.task`). Besides, a `when` that is not a condition (checked by `conditions`),
 * or that never holds ({@link conditionProblems}). What may read any step (`$keys(steps)`) is left to the run.
 */
export function readProblems(
  steps: readonly WorkflowStep[],
  conditions: Pick<SchemaValidator, 'validate'>,
): ErrorDetail[] {
  const ids = new Set(steps.map((s) => s.id));
  const upstream = upstreamOf(steps);
  const problems: ErrorDetail[] = [];
  // Each expression parsed once: a fan-out's 498 branches hold the same one.
  const parsed = new Map<string, ExpressionReads>();
  const readsOf = (expression: string): ExpressionReads => {
    if (!parsed.has(expression)) parsed.set(expression, expressionReads(expression));
    return parsed.get(expression)!;
  };
  steps.forEach((step, i) => {
    const report = (field: string, what: string, reads: ExpressionReads[]) => {
      const messages = new Set<string>();
      const refs = mergeRefs(reads.map((r) => r.refs));
      if (refs !== 'all')
        for (const id of refs) {
          if (!ids.has(id)) messages.add(`reads steps.${id}: no step "${id}"`);
          else if (id === step.id)
            messages.add(`reads steps.${id}, which is this step: it reads only steps it depends on`);
          else if (!upstream(i, id))
            messages.add(`reads steps.${id}, which this step does not depend on (add it to dependsOn)`);
        }
      for (const path of reads.flatMap((r) => r.paths)) {
        const read = path.join('.');
        if (!CONTEXT.has(path[0])) messages.add(`reads ${read}: ${what} read only input and steps (input.${read}?)`);
        else if (path[0] === 'steps' && ids.has(path[1]) && path.length > 2 && !STEP_FIELDS.has(path[2]))
          messages.add(`reads ${read}: a step has only output and status`);
      }
      for (const message of messages) problems.push({ field, message });
    };
    const template = stepTemplate(step);
    if (template !== undefined) {
      const expressions = templateExpressions(template.value).map((e) => e.expression);
      report(`/steps/${i}/${template.field}`, 'templates', expressions.map(readsOf));
    }
    if (step.when === undefined) return;
    const shape = conditions.validate(CONDITION, step.when, `/steps/${i}/when`);
    if (!shape.valid) {
      problems.push(...shape.errors);
      return;
    }
    const paths = conditionFields(step.when).map((field) => field.split('.'));
    report(`/steps/${i}/when`, 'conditions', [{ refs: conditionRefs(step.when), paths }]);
    problems.push(...conditionProblems(step.when, `/steps/${i}/when`));
  });
  return problems;
}

/**
 * Whether, for the step at each index, a step (by id) is upstream: one it depends on, directly or through
 * others, so finished before it starts. Worked out as needed, each step's set once, as bits.
 */
function upstreamOf(steps: readonly WorkflowStep[]): (index: number, id: string) => boolean {
  const at = new Map<string, number>();
  steps.forEach((step, i) => {
    if (!at.has(step.id)) at.set(step.id, i);
  });
  const words = Math.ceil(steps.length / 32);
  const known = new Map<number, Uint32Array>();
  const of = (i: number): Uint32Array => {
    let bits = known.get(i);
    if (bits) return bits;
    bits = new Uint32Array(words);
    // Kept before it is complete: a cycle (refused on its own) ends here instead of going round.
    known.set(i, bits);
    for (const dep of steps[i].dependsOn ?? []) {
      const j = at.get(dep);
      if (j === undefined || j === i) continue;
      bits[j >>> 5] |= 1 << (j & 31);
      const theirs = of(j);
      for (let w = 0; w < words; w++) bits[w] |= theirs[w];
    }
    return bits;
  };
  return (index, id) => {
    const j = at.get(id);
    return j !== undefined && (of(index)[j >>> 5] & (1 << (j & 31))) !== 0;
  };
}

const CACHE_SIZE = 200;
const cache = new Map<string, DefinitionIndex>();

/**
 * The index of a workflow version's definition, from a small in-process cache (a version's steps never
 * change: an edit raises the version). `load` gives the definition on a miss.
 */
export async function definitionIndexOf(
  workflowId: string,
  version: number,
  load: () => Promise<readonly WorkflowStep[]>,
): Promise<DefinitionIndex> {
  const key = `${workflowId}:${version}`;
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last, so the oldest entry is the first one to go.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const index = indexDefinition(await load());
  cache.set(key, index);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return index;
}

function mergeRefs(all: StepRefs[]): StepRefs {
  const ids = new Set<string>();
  for (const refs of all) {
    if (refs === 'all') return 'all';
    for (const id of refs) ids.add(id);
  }
  return ids;
}

/** `steps.<id>…` fields of a condition; a field on `steps` itself reads them all. */
function conditionRefs(condition: Condition): StepRefs {
  if ('and' in condition) return mergeRefs(condition.and.map(conditionRefs));
  if ('or' in condition) return mergeRefs(condition.or.map(conditionRefs));
  if ('not' in condition) return conditionRefs(condition.not);
  const [head, id] = condition.field.split('.');
  if (head !== 'steps') return new Set();
  return id ? new Set([id]) : 'all';
}

/** The fields a condition compares, in order. */
function conditionFields(condition: Condition): string[] {
  if ('and' in condition) return condition.and.flatMap(conditionFields);
  if ('or' in condition) return condition.or.flatMap(conditionFields);
  if ('not' in condition) return conditionFields(condition.not);
  return [condition.field];
}

type Node = { type?: string; value?: unknown; steps?: Node[]; [key: string]: unknown };

/** Node kinds that may reach the whole context, or any step of it, in ways not spelled out as `steps.<id>`. */
const OPAQUE = new Set(['wildcard', 'descendant', 'parent']);

/** What an expression reads: steps ({@link expressionRefs}) and plain paths of the context ({@link contextPaths}). */
interface ExpressionReads {
  refs: StepRefs;
  paths: string[][];
}

function expressionReads(expression: string): ExpressionReads {
  const ast = parse(expression);
  return ast ? { refs: refsIn(ast), paths: contextPaths(ast) } : { refs: 'all', paths: [] };
}

/** The expression's syntax tree; undefined when it does not parse (it fails when rendered, or on save). */
function parse(expression: string): Node | undefined {
  try {
    // The same guards as rendering (length, nesting) before anything is parsed.
    return compile(expression).ast() as Node;
  } catch {
    return undefined;
  }
}

/**
 * The step ids an expression reads as `steps.<id>`, found in its syntax tree. Anything that could reach other
 * steps (`steps` alone or indexed, `$`, `$$`, wildcards, `$eval`) makes it `all`; an expression that does not
 * parse is `all` too (it fails when rendered, against the whole context as before).
 */
export function expressionRefs(expression: string): StepRefs {
  const ast = parse(expression);
  return ast ? refsIn(ast) : 'all';
}

function refsIn(ast: Node): StepRefs {
  const ids = new Set<string>();
  const visit = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.every(visit);
    if (!node || typeof node !== 'object') return true;
    const n = node as Node;
    if (OPAQUE.has(n.type ?? '')) return false;
    if (n.type === 'variable' && (n.value === '' || n.value === '$' || n.value === 'eval')) return false;
    if (n.type === 'path' && Array.isArray(n.steps) && n.steps[0]?.type === 'name' && n.steps[0].value === 'steps') {
      const [head, id, ...rest] = n.steps;
      if (!id || id.type !== 'name' || typeof id.value !== 'string' || hasStages(head)) return false;
      ids.add(id.value);
      return visitFields(id) && rest.every(visit);
    }
    if (n.type === 'name' && n.value === 'steps') return false;
    return visitFields(n);
  };
  const visitFields = (n: Node): boolean =>
    Object.entries(n).every(([key, value]) => key === 'value' || key === 'type' || visit(value));
  return visit(ast) ? ids : 'all';
}

/**
 * The plain paths (`task.id`, `steps.a.output`) an expression reads from the context itself, as their names up
 * to the first that is not a plain name. Only where the context is the whole `{input, steps}`: the expression
 * itself, its operands, blocks, conditions, array and object constructors, and function arguments. Inside a
 * path's later steps, its filters, or a function's body, a name is a field of something else.
 */
function contextPaths(ast: Node): string[][] {
  const paths: string[][] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    switch (n.type) {
      case 'path': {
        const [first] = n.steps ?? [];
        if (first?.type !== 'name') return visit(first);
        const names: string[] = [];
        for (const step of n.steps!) {
          if (step.type !== 'name' || typeof step.value !== 'string') break;
          names.push(step.value);
          if (hasStages(step)) break;
        }
        paths.push(names);
        return;
      }
      case 'binary':
      case 'apply':
        return visit([n.lhs, n.rhs]);
      case 'unary':
        return visit(n.value === '{' ? n.lhs : (n.expression ?? n.expressions));
      case 'condition':
        return visit([n.condition, n.then, n.else]);
      case 'block':
        return visit(n.expressions);
      case 'bind':
        return visit(n.rhs);
      case 'function':
      case 'partial':
        return visit(n.arguments);
    }
  };
  visit(ast);
  return paths;
}

function hasStages(node: Node): boolean {
  return ['stages', 'predicate', 'group', 'focus', 'index', 'tuple'].some((k) => node[k] !== undefined);
}
