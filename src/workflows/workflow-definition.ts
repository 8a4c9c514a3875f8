import type { Condition } from '../common/conditions/condition';
import type { ErrorDetail } from '../common/errors/app.error';

export interface WorkflowStep {
  id: string;
  agentId: string;
  input: unknown;
  dependsOn?: string[];
  when?: Condition;
  continueOnFailure?: boolean;
}

/**
 * Structural problems of a definition: duplicate ids, unknown dependencies, unknown agents and cycles
 * (reported with the cycle itself, `a → b → a`). Returns one detail per problem, under `/steps/<i>/…`.
 */
export function definitionProblems(steps: WorkflowStep[], knownAgents: ReadonlySet<string>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    if (index.has(step.id))
      problems.push({ field: `/steps/${i}/id`, message: `duplicates the id of step ${index.get(step.id)}` });
    else index.set(step.id, i);
    if (!knownAgents.has(step.agentId))
      problems.push({ field: `/steps/${i}/agentId`, message: 'no agent with this id' });
    (step.dependsOn ?? []).forEach((dep, j) => {
      if (!steps.some((s) => s.id === dep))
        problems.push({ field: `/steps/${i}/dependsOn/${j}`, message: `no step "${dep}"` });
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
