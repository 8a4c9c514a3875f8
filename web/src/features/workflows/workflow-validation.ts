/**
 * The workflow definition typed into the editor, checked as the server checks it (CreateWorkflowDto and
 * src/workflows/workflow-definition.ts): JSON syntax, required fields and their types (each kind of step's
 * in step-kinds.ts, the triggers' in trigger-checks.ts), unique step ids, dependencies on steps that exist, and
 * no dependency cycles. Every problem is named by a JSON pointer into
 * the definition, as the server's `details[].field` are, so both land on the step they name.
 */
import { MAX_STEPS } from '../../api/contract-values';
import { type Problem, isObject, kind } from './definition-values';
import { STEP_KEYS, checkKindFields } from './step-kinds';
import { checkTriggers } from './trigger-checks';

/** A step as the graph draws it, read leniently from a definition that may still have problems. */
export interface GraphStep {
  /** Position in `steps`: the key of the step, since ids may be missing or repeated while typing. */
  index: number;
  id: string;
  /** `task`, `approval` or `wait` (a task when left out). */
  kind?: string;
  agentId?: string;
  dependsOn: string[];
}

export type { Problem };

export const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
const TOP_LEVEL = ['name', 'description', 'steps', 'triggers'];

/** The index of the step a pointer is about (`/steps/2/input/x` → 2), or undefined. */
export function stepIndexOf(pointer: string): number | undefined {
  const match = /^\/steps\/(\d+)(?:\/|$)/.exec(pointer);
  return match ? Number(match[1]) : undefined;
}

/** The part of a pointer below its step (`/steps/2/dependsOn/0` → `dependsOn/0`), '' for the step itself. */
export function pointerInStep(pointer: string): string {
  return pointer.replace(/^\/steps\/\d+\/?/, '');
}

/** Problems not about one step, and those of each step by its index. */
export function groupProblems(problems: Problem[]): { general: Problem[]; byStep: Map<number, Problem[]> } {
  const general: Problem[] = [];
  const byStep = new Map<number, Problem[]>();
  for (const problem of problems) {
    const index = stepIndexOf(problem.pointer);
    if (index === undefined) general.push(problem);
    else byStep.set(index, [...(byStep.get(index) ?? []), problem]);
  }
  return { general, byStep };
}

/** The steps of a definition as far as they can be read, for drawing while it is being typed. */
export function graphSteps(value: unknown): GraphStep[] {
  if (!isObject(value) || !Array.isArray(value.steps)) return [];
  return value.steps.flatMap((step: unknown, index) => {
    if (!isObject(step)) return [];
    const id = typeof step.id === 'string' && step.id !== '' ? step.id : `#${index + 1}`;
    const dependsOn = Array.isArray(step.dependsOn)
      ? step.dependsOn.filter((d): d is string => typeof d === 'string')
      : [];
    const kind = typeof step.kind === 'string' ? step.kind : undefined;
    return [{ index, id, kind, agentId: typeof step.agentId === 'string' ? step.agentId : undefined, dependsOn }];
  });
}

/**
 * Every dependency cycle, as the steps in it: strongly connected components (Tarjan) of more than one step.
 * A step depending on itself is reported on its own, as the server does, and not as a cycle.
 */
export function cycleGroups(steps: { id: string; dependsOn: string[] }[]): string[][] {
  const deps = new Map<string, string[]>();
  for (const step of steps) {
    if (!deps.has(step.id)) deps.set(step.id, []);
    deps.get(step.id)?.push(...step.dependsOn.filter((d) => d !== step.id));
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of deps.get(v) ?? []) {
      if (!deps.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.reverse());
    }
  };
  for (const id of deps.keys()) if (!index.has(id)) connect(id);
  return groups;
}

/**
 * The shortest cycle through `start` within `group`, in the direction work flows (from a step to the steps
 * that depend on it), from `start` back to itself: `['a', 'b', 'a']`.
 */
export function cycleThrough(start: string, group: string[], steps: { id: string; dependsOn: string[] }[]): string[] {
  const members = new Set(group);
  // Work flows from a dependency to its dependents: the edges d → s for every s depending on d.
  const next = new Map<string, string[]>();
  for (const step of steps) {
    if (!members.has(step.id)) continue;
    for (const dep of step.dependsOn) {
      if (members.has(dep) && dep !== step.id) next.set(dep, [...(next.get(dep) ?? []), step.id]);
    }
  }
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift() as string;
    for (const w of next.get(v) ?? []) {
      if (w === start) {
        const between: string[] = [];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = previous.get(u)) between.unshift(u);
        return [start, ...between, start];
      }
      if (!previous.has(w) && w !== start) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

export interface ValidateOptions {
  /** A PATCH: every field may be left out. */
  partial?: boolean;
  /** The agents known to exist; when given, a step naming another agent is a problem. */
  knownAgents?: ReadonlySet<string>;
}

function checkStep(step: unknown, at: string, options: ValidateOptions, problems: Problem[]): void {
  if (!isObject(step)) {
    problems.push({ pointer: at, message: `must be an object, not ${kind(step)}` });
    return;
  }
  for (const key of Object.keys(step)) {
    if (!STEP_KEYS.includes(key)) {
      problems.push({ pointer: `${at}/${key}`, message: `is not a step field (${STEP_KEYS.join(', ')})` });
    }
  }
  if (step.id === undefined) problems.push({ pointer: `${at}/id`, message: 'is required' });
  else if (typeof step.id !== 'string') {
    problems.push({ pointer: `${at}/id`, message: `must be a string, not ${kind(step.id)}` });
  } else if (!STEP_ID.test(step.id)) {
    problems.push({
      pointer: `${at}/id`,
      message: 'must start with a letter and use letters, digits, _ and - (at most 100)',
    });
  }
  checkKindFields(step, at, options, problems);
  if (step.dependsOn !== undefined) {
    if (!Array.isArray(step.dependsOn)) {
      problems.push({
        pointer: `${at}/dependsOn`,
        message: `must be an array of step ids, not ${kind(step.dependsOn)}`,
      });
    } else {
      if (step.dependsOn.length > MAX_STEPS) {
        problems.push({ pointer: `${at}/dependsOn`, message: `must have at most ${MAX_STEPS} items` });
      }
      const seen = new Set<unknown>();
      step.dependsOn.forEach((dep: unknown, j) => {
        if (typeof dep !== 'string') {
          problems.push({ pointer: `${at}/dependsOn/${j}`, message: `must be a step id (a string), not ${kind(dep)}` });
        } else if (seen.has(dep)) {
          problems.push({ pointer: `${at}/dependsOn/${j}`, message: `"${dep}" is listed twice` });
        }
        seen.add(dep);
      });
    }
  }
  if (step.when !== undefined && !isObject(step.when)) {
    problems.push({ pointer: `${at}/when`, message: `must be a condition (an object), not ${kind(step.when)}` });
  }
  if (step.continueOnFailure !== undefined && typeof step.continueOnFailure !== 'boolean') {
    problems.push({ pointer: `${at}/continueOnFailure`, message: 'must be true or false' });
  }
}

/** The dependencies between steps: unique ids, known targets, no step depending on itself, no cycle. */
function checkGraph(steps: unknown[], problems: Problem[]): void {
  const firstIndex = new Map<string, number>();
  const readable = graphSteps({ steps });
  steps.forEach((step, i) => {
    if (!isObject(step) || typeof step.id !== 'string') return;
    const first = firstIndex.get(step.id);
    if (first === undefined) firstIndex.set(step.id, i);
    else problems.push({ pointer: `/steps/${i}/id`, message: `"${step.id}" is already the id of step ${first + 1}` });
  });
  for (const step of readable) {
    const raw = (steps[step.index] as Record<string, unknown>).dependsOn;
    if (!Array.isArray(raw)) continue;
    raw.forEach((dep: unknown, j) => {
      if (typeof dep !== 'string') return;
      if (dep === step.id) {
        problems.push({ pointer: `/steps/${step.index}/dependsOn/${j}`, message: 'a step cannot depend on itself' });
      } else if (!firstIndex.has(dep)) {
        problems.push({ pointer: `/steps/${step.index}/dependsOn/${j}`, message: `no step "${dep}"` });
      }
    });
  }
  // Only the first step of an id takes part (a repeated id is reported above).
  const unique = readable.filter((s) => firstIndex.get(s.id) === s.index);
  for (const group of cycleGroups(unique)) {
    const inOrder = [...group].sort((a, b) => (firstIndex.get(a) ?? 0) - (firstIndex.get(b) ?? 0));
    for (const id of inOrder) {
      const cycle = cycleThrough(id, group, unique);
      problems.push({
        pointer: `/steps/${firstIndex.get(id)}/dependsOn`,
        message: `dependency cycle: ${cycle.join(' → ')}`,
      });
    }
  }
}

/** Every problem of a parsed definition, as the server would name them (JSON pointers). */
export function validateDefinition(value: unknown, options: ValidateOptions = {}): Problem[] {
  const problems: Problem[] = [];
  if (!isObject(value)) {
    return [
      {
        pointer: '',
        message: `The definition must be an object {name, description?, steps, triggers?}, not ${kind(value)}`,
      },
    ];
  }
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL.includes(key)) {
      problems.push({ pointer: `/${key}`, message: `is not a workflow field (${TOP_LEVEL.join(', ')})` });
    }
  }
  if (value.name === undefined) {
    if (!options.partial) problems.push({ pointer: '/name', message: 'is required' });
  } else if (typeof value.name !== 'string') {
    problems.push({ pointer: '/name', message: `must be a string, not ${kind(value.name)}` });
  } else if (value.name.length < 1 || value.name.length > 200) {
    problems.push({ pointer: '/name', message: 'must be 1 to 200 characters' });
  }
  if (value.description !== undefined) {
    if (typeof value.description !== 'string') {
      problems.push({
        pointer: '/description',
        message: `must be a string (or left out), not ${kind(value.description)}`,
      });
    } else if (value.description.length > 2000) {
      problems.push({ pointer: '/description', message: 'must be at most 2,000 characters' });
    }
  }
  checkTriggers(value.triggers, options.knownAgents, problems);
  if (value.steps === undefined) {
    if (!options.partial) problems.push({ pointer: '/steps', message: 'is required' });
    return problems;
  }
  if (!Array.isArray(value.steps)) {
    problems.push({ pointer: '/steps', message: `must be an array of steps, not ${kind(value.steps)}` });
    return problems;
  }
  if (value.steps.length < 1) problems.push({ pointer: '/steps', message: 'must have at least one step' });
  if (value.steps.length > MAX_STEPS) {
    problems.push({ pointer: '/steps', message: `must have at most ${MAX_STEPS} steps` });
  }
  value.steps.forEach((step: unknown, i) => checkStep(step, `/steps/${i}`, options, problems));
  checkGraph(value.steps, problems);
  return problems;
}
