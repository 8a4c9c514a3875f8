import type { components } from '../../api/schema';

type WorkflowRun = components['schemas']['WorkflowRunDto'];
type StepStatus = components['schemas']['RunStepDto']['status'];

/** A `run.updated` payload (src/tasks/task-events.ts): statuses only; outputs and errors are not in it. */
export interface RunEvent {
  runId: string;
  workflowId: string;
  status: WorkflowRun['status'];
  steps: { id: string; status: StepStatus; taskId: string | null }[];
  updatedAt: string;
}

/** A live event as `useLiveEvents` hands it over (web/src/app/live-events.ts). */
export interface LiveEventLike {
  name: string;
  payload: Record<string, unknown>;
}

/** The `run.updated` events of a batch, in order; anything else is left out. */
export function runEvents(events: LiveEventLike[]): RunEvent[] {
  return events
    .filter(
      (e) =>
        e.name === 'run.updated' &&
        typeof e.payload.runId === 'string' &&
        typeof e.payload.workflowId === 'string' &&
        typeof e.payload.status === 'string' &&
        Array.isArray(e.payload.steps),
    )
    .map((e) => e.payload as unknown as RunEvent);
}

/** A run with the statuses of an event: steps keep their outputs and errors until the run is read again. */
export function patchRun(run: WorkflowRun, event: RunEvent): WorkflowRun {
  if (run.id !== event.runId) return run;
  const byId = new Map(event.steps.map((s) => [s.id, s]));
  return {
    ...run,
    status: event.status,
    steps: run.steps.map((step) => {
      const update = byId.get(step.id);
      return update ? { ...step, status: update.status, taskId: update.taskId } : step;
    }),
  };
}
