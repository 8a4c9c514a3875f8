import { assertHolds, type Principal } from '../../auth/principal';
import type { ErrorDetail } from '../../common/errors/app.error';
import { CONCLUSION_EVENTS, type ConclusionEvent } from '../../events/conclusion-events';

/** The platform events a workflow can start on: a task or a run reaching a final status. */
export const TRIGGER_EVENTS = CONCLUSION_EVENTS;
export type TriggerEvent = ConclusionEvent;

/** Triggers a workflow may declare, at most. */
export const MAX_TRIGGERS = 20;

/**
 * How many trigger starts may follow each other (a run triggered by a run triggered by …, or by a task of
 * such a run). A start past it is refused: workflows that trigger each other, or whose own steps' tasks
 * trigger them, stop there instead of running forever.
 */
export const MAX_TRIGGER_DEPTH = 5;

/**
 * A platform event that starts the workflow, as its creator: `task.*` of the creator's tasks (of one agent
 * with `agentId`), or `run.*` of the creator's runs of `workflowId`.
 */
export interface WorkflowTrigger {
  on: TriggerEvent;
  agentId?: string;
  workflowId?: string;
}

export const isRunEvent = (event: TriggerEvent): boolean => event.startsWith('run.');

/** The idempotency key of the run a trigger starts for one event: one run per workflow, event and source. */
export function triggerKey(workflowId: string, event: TriggerEvent, sourceId: string): string {
  return `trigger:${workflowId}:${event}:${sourceId}`;
}

/**
 * Problems of a workflow's triggers, under `/triggers/<i>/…`: run events need `workflowId` (and take no
 * `agentId`), task events take no `workflowId`, a workflow cannot start on its own runs (`self`, when it
 * exists already), no trigger twice; the agents and workflows named must exist (`knownAgents`,
 * `knownWorkflows`).
 */
export function triggerProblems(
  triggers: WorkflowTrigger[],
  knownAgents: ReadonlySet<string>,
  knownWorkflows: ReadonlySet<string>,
  self?: string,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  triggers.forEach((trigger, i) => {
    const at = `/triggers/${i}`;
    if (isRunEvent(trigger.on)) {
      if (trigger.workflowId === undefined)
        problems.push({ field: `${at}/workflowId`, message: 'run events need workflowId' });
      else if (trigger.workflowId === self)
        problems.push({ field: `${at}/workflowId`, message: 'a workflow cannot be triggered by its own runs' });
      else if (!knownWorkflows.has(trigger.workflowId))
        problems.push({ field: `${at}/workflowId`, message: 'no workflow with this id' });
      if (trigger.agentId !== undefined)
        problems.push({ field: `${at}/agentId`, message: 'only task events take agentId' });
    } else {
      if (trigger.workflowId !== undefined)
        problems.push({ field: `${at}/workflowId`, message: 'only run events take workflowId' });
      if (trigger.agentId !== undefined && !knownAgents.has(trigger.agentId))
        problems.push({ field: `${at}/agentId`, message: 'no agent with this id' });
    }
    const id = `${trigger.on}|${trigger.agentId ?? ''}|${trigger.workflowId ?? ''}`;
    if (seen.has(id)) problems.push({ field: at, message: `duplicates trigger ${seen.get(id)}` });
    else seen.set(id, i);
  });
  return problems;
}

/** The triggers as stored: only the fields each one has. */
export function normalizedTriggers(triggers: WorkflowTrigger[]): WorkflowTrigger[] {
  return triggers.map(({ on, agentId, workflowId }) => ({
    on,
    ...(agentId !== undefined ? { agentId } : {}),
    ...(workflowId !== undefined ? { workflowId } : {}),
  }));
}

/** Whether a trigger starts on this event of a task (of `agentId`) or of a run (of `workflowId`). */
export function triggerMatches(
  trigger: WorkflowTrigger,
  event: TriggerEvent,
  source: { agentId?: string; workflowId?: string },
): boolean {
  if (trigger.on !== event) return false;
  if (isRunEvent(event)) return trigger.workflowId === source.workflowId;
  return trigger.agentId === undefined || trigger.agentId === source.agentId;
}

/**
 * A trigger's run is given the task or run it fired on, input and output: setting one takes reading them
 * (`tasks:read` for `task.*`, `workflows:read` for `run.*`), as a webhook of those events does.
 */
export function assertMayHear(principal: Principal, triggers: readonly { on: TriggerEvent }[]): void {
  if (triggers.some((t) => !isRunEvent(t.on))) assertHolds(principal, 'tasks:read', 'A trigger on task events');
  if (triggers.some((t) => isRunEvent(t.on))) assertHolds(principal, 'workflows:read', 'A trigger on run events');
}
