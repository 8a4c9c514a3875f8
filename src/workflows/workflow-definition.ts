import type { Permission } from '../auth/permissions';
import type { Condition } from '../common/conditions/condition';
import type { ErrorDetail } from '../common/errors/app.error';
import { STEP_STATUSES } from './entities/workflow-run.entity';

/** What a step does: run a task on an agent, wait for a person's decision, or wait for a time. */
export const STEP_KINDS = ['task', 'approval', 'wait'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

interface StepBase {
  id: string;
  dependsOn?: string[];
  when?: Condition;
  continueOnFailure?: boolean;
}

/** A task on an agent; stored without `kind`, as steps were before there were other kinds. */
export interface TaskStep extends StepBase {
  kind?: 'task';
  agentId: string;
  input: unknown;
}

/** Waits for `approve` or `reject`; `timeoutMs` rejects it when nobody decided in time. */
export interface ApprovalStep extends StepBase {
  kind: 'approval';
  timeoutMs?: number;
  /** Who may decide: holders of this permission; without it, whoever may change the run. */
  permission?: Permission;
}

/** Succeeds `durationMs` after it starts, or at `until` (an ISO time, or a template rendering to one). */
export interface WaitStep extends StepBase {
  kind: 'wait';
  durationMs?: number;
  until?: string;
}

export type WorkflowStep = TaskStep | ApprovalStep | WaitStep;

export function isTaskStep(step: WorkflowStep): step is TaskStep {
  return (step.kind ?? 'task') === 'task';
}

export function stepKind(step: { kind?: StepKind }): StepKind {
  return step.kind ?? 'task';
}

/**
 * Structural problems of a definition: duplicate ids, unknown dependencies, unknown agents and cycles
 * (reported with the cycle itself, `a → b → a`). Returns one detail per problem, under `/steps/<i>/…`.
 */
export function definitionProblems(steps: WorkflowStep[], knownAgents: ReadonlySet<string>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const index = new Map<string, number>();
  const ids = new Set(steps.map((s) => s.id));
  steps.forEach((step, i) => {
    if (index.has(step.id))
      problems.push({ field: `/steps/${i}/id`, message: `duplicates the id of step ${index.get(step.id)}` });
    else index.set(step.id, i);
    if (isTaskStep(step) && !knownAgents.has(step.agentId))
      problems.push({ field: `/steps/${i}/agentId`, message: 'no agent with this id' });
    (step.dependsOn ?? []).forEach((dep, j) => {
      if (!ids.has(dep)) problems.push({ field: `/steps/${i}/dependsOn/${j}`, message: `no step "${dep}"` });
      if (dep === step.id)
        problems.push({ field: `/steps/${i}/dependsOn/${j}`, message: 'a step cannot depend on itself' });
    });
  });
  const cycle = findCycle(steps);
  if (cycle) {
    problems.push({
      field: `/steps/${index.get(cycle[0])}/dependsOn`,
      message: `dependency cycle: ${cycle.join(' → ')}`,
    });
  }
  return problems;
}
/** The first dependency cycle found, as step ids from a step back to itself; undefined when there is none. */
export function findCycle(steps: WorkflowStep[]): string[] | undefined {
  const deps = new Map(steps.map((s) => [s.id, (s.dependsOn ?? []).filter((d) => d !== s.id)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of steps) {
    const found = visit(step.id);
    // Reported in the direction work flows: from the dependency to the step that needs it.
    if (found) return found.reverse();
  }
  return undefined;
}

/** What a step renders before it starts, and under which field: a task's input, a wait's `until`. */
export function stepTemplate(step: WorkflowStep): { field: 'input' | 'until'; value: unknown } | undefined {
  if (isTaskStep(step)) return { field: 'input', value: step.input };
  return step.kind === 'wait' && step.until !== undefined ? { field: 'until', value: step.until } : undefined;
}

/**
 * Where a template problem is in the request: the template threads name it by the step's index and its place in
 * the step's template (`/3/text`), which is the step's `input` (`/steps/3/input/text`) or `until`.
 */
export function templateField(steps: readonly WorkflowStep[], path: string): string {
  const [, index, rest] = /^\/(\d+)(.*)$/.exec(path) ?? [];
  const step = index === undefined ? undefined : steps[Number(index)];
  const field = step && stepTemplate(step)?.field;
  return field ? `/steps/${index}/${field}${rest}` : '/steps';
}

/** Operators that compare the field with `value`, and of those, the ones that order. */
const COMPARING = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains']);
const ORDERING = new Set(['gt', 'gte', 'lt', 'lte']);
/** `steps.<id>.status`: compared with a status, which it always is. */
const STATUS_FIELD = /^steps\.[^.]+\.status$/;

/**
 * The parts of a step's `when` (a condition by the schema already) that can never hold, or hold by accident, each
 * under its own pointer (`/steps/2/when/and/0/value`): a comparison without `value`; `in` with no list; an order
 * (`gt`…) with a value that is not a number or text (text of digits orders as text, a postal code or a
 * zero-padded id: that is the field's business); `exists` with anything but
 * true or false; a step's status compared with something no status is.
 */
export function conditionProblems(condition: Condition, at: string): ErrorDetail[] {
  if ('and' in condition) return condition.and.flatMap((c, i) => conditionProblems(c, `${at}/and/${i}`));
  if ('or' in condition) return condition.or.flatMap((c, i) => conditionProblems(c, `${at}/or/${i}`));
  if ('not' in condition) return conditionProblems(condition.not, `${at}/not`);
  const { field, op, value } = condition;
  const problem = (message: string) => [{ field: `${at}/value`, message }];
  if (COMPARING.has(op) && value === undefined) return problem(`${op} compares the field with value, which is missing`);
  if (op === 'in' && !Array.isArray(value)) return problem('in takes an array of the values the field may have');
  if (ORDERING.has(op) && typeof value !== 'number' && typeof value !== 'string')
    return problem(`${op} compares numbers or text: nothing is ${op} ${JSON.stringify(value)}`);
  if (op === 'exists' && value !== undefined && typeof value !== 'boolean')
    return problem('exists takes true (the field is there) or false (it is not)');
  if (STATUS_FIELD.test(field) && (op === 'eq' || op === 'ne' || op === 'in')) {
    const statuses: readonly unknown[] = STEP_STATUSES;
    const unknown = (op === 'in' ? (value as unknown[]) : [value]).filter((v) => !statuses.includes(v));
    if (unknown.length)
      return problem(
        `a step's status is one of ${STEP_STATUSES.join(', ')}: never ${unknown.map((v) => JSON.stringify(v)).join(', ')}`,
      );
  }
  return [];
}
