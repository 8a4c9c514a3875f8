/**
 * The editor's "Add a step": a task step on an agent picked by name, appended to the definition being typed,
 * with an id of its own and an input that hands on what came before.
 */
import { parseDefinition } from './json-syntax';
import { RESERVED, pathPart } from './step-input';
import { STEP_ID } from './workflow-validation';

export interface NewStep {
  id: string;
  agentId: string;
  input: unknown;
  dependsOn?: string[];
}

/**
 * A step id from the agent's name: its letters and digits, words joined by `_` (so that a later step's template
 * names it as a plain field), starting with a letter (`step_` before one that does not), then `_2`, `_3`… until
 * no step has it.
 */
export function stepIdFor(agentName: string, taken: ReadonlySet<string>): string {
  const words = agentName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(' ')
    .filter(Boolean)
    .join('_')
    .slice(0, 60);
  const named = /^[a-z]/.test(words) ? words : `step${words ? `_${words}` : ''}`;
  const base = RESERVED.has(named) ? `${named}_step` : named;
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}_${n}`;
  return STEP_ID.test(id) ? id : 'step';
}

/**
 * What a new step's input is read from, as a template path: the run's input for a step after none; after steps,
 * the output of the one it follows (the first named), its id quoted when a template would not read it as a field
 * name (`first-step`).
 */
export function sourcePath(dependsOn: readonly string[]): string {
  return dependsOn.length ? `steps.${pathPart(dependsOn[0])}.output` : 'input';
}

/** The agent id of the definition's step `id`, if it has one. */
export function agentOfStep(definition: unknown, id: string): string | undefined {
  const steps = (definition as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return undefined;
  const step = steps.find((s) => (s as { id?: unknown } | null)?.id === id) as { agentId?: unknown } | undefined;
  return typeof step?.agentId === 'string' ? step.agentId : undefined;
}

/** The ids of the definition's steps that have one, in order: what a new step may follow. */
export function stepIdsOf(definition: unknown): string[] {
  const steps = (definition as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.flatMap((s) => {
    const id = (s as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id ? [id] : [];
  });
}

/**
 * The definition text with `step` appended to its steps (written out again, two spaces deep), or why it cannot
 * take one: the text does not parse, or it has no list of steps.
 */
export function withStep(text: string, step: NewStep): { ok: true; text: string } | { ok: false; message: string } {
  const parsed = parseDefinition(text);
  if (!parsed.ok) return { ok: false, message: 'Fix the JSON first: a step is added to a definition that parses' };
  const definition = parsed.value;
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    return { ok: false, message: 'The definition must be a JSON object to add a step to it' };
  const steps = (definition as { steps?: unknown }).steps ?? [];
  if (!Array.isArray(steps)) return { ok: false, message: '“steps” must be a list to add a step to it' };
  const { dependsOn, ...rest } = step;
  const added = dependsOn?.length ? { ...rest, dependsOn } : rest;
  return { ok: true, text: JSON.stringify({ ...definition, steps: [...steps, added] }, null, 2) };
}
