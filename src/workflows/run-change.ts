import type { RunEventSource } from '../events/event-bus';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';
import { changedSince, type StepSnapshot, snapshotOf } from './persistence/run-step-rows';

export { snapshotOf } from './persistence/run-step-rows';

/**
 * The event of a change made to a run under its row lock, to publish once committed: the steps the change made
 * (those no longer as `before`, their {@link snapshotOf} when the run was read under the lock), as it left them;
 * undefined when it made none and the run goes on. Not the run as read: a step task's start marks its step
 * `running` without that lock and says so at once, so the read's other steps may be older than an event already
 * sent, while the steps the change made are newer than any. A run the change ended is sent whole: its steps are
 * all over, and none moves on from there.
 */
export function runChange(run: WorkflowRunEntity, before: StepSnapshot): RunEventSource | undefined {
  if (run.status !== 'running') return run;
  const changed = changedSince(before, snapshotOf(run.steps));
  if (!changed.length) return undefined;
  const steps = Object.fromEntries(changed.map((id) => [id, run.steps[id]]));
  return { id: run.id, workflowId: run.workflowId, createdBy: run.createdBy, status: run.status, steps };
}
