import type { Condition } from '../common/conditions/condition';
import type { ErrorDetail } from '../common/errors/app.error';
import { onlyPaths } from './path-templates';
import { compile, templateExpressions } from './templates';
import { isTaskStep, stepTemplate, type WorkflowStep } from './workflow-definition';

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

/**
 * A step whose templates or condition read a step the definition does not have (`steps.nope`): it would render
 * nothing there, and fail later for a reason that hides this one. Each such read, named where it is.
 */
export function unknownStepReads(steps: readonly WorkflowStep[]): ErrorDetail[] {
  const ids = new Set(steps.map((s) => s.id));
  const problems: ErrorDetail[] = [];
  const report = (field: string, refs: StepRefs) => {
    if (refs === 'all') return;
    for (const id of refs) if (!ids.has(id)) problems.push({ field, message: `reads steps.${id}: no step "${id}"` });
  };
  steps.forEach((step, i) => {
    const template = stepTemplate(step);
    if (template !== undefined) {
      const expressions = templateExpressions(template.value).map((e) => e.expression);
      report(`/steps/${i}/${template.field}`, mergeRefs(expressions.map(expressionRefs)));
    }
    if (step.when) report(`/steps/${i}/when`, conditionRefs(step.when));
  });
  return problems;
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

type Node = { type?: string; value?: unknown; steps?: Node[]; [key: string]: unknown };

/** Node kinds that may reach the whole context, or any step of it, in ways not spelled out as `steps.<id>`. */
const OPAQUE = new Set(['wildcard', 'descendant', 'parent']);

/**
 * The step ids an expression reads as `steps.<id>`, found in its syntax tree. Anything that could reach other
 * steps (`steps` alone or indexed, `$`, `$$`, wildcards, `$eval`) makes it `all`; an expression that does not
 * parse is `all` too (it fails when rendered, against the whole context as before).
 */
export function expressionRefs(expression: string): StepRefs {
  let ast: Node;
  try {
    // The same guards as rendering (length, nesting) before anything is parsed.
    ast = compile(expression).ast() as Node;
  } catch {
    return 'all';
  }
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

function hasStages(node: Node): boolean {
  return ['stages', 'predicate', 'group', 'focus', 'index', 'tuple'].some((k) => node[k] !== undefined);
}
