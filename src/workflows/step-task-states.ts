import type { EntityManager } from 'typeorm';
import { FINAL_STATUSES } from '../tasks/task';
import { FINAL_STEP_STATUSES, type WorkflowRunEntity } from './entities/workflow-run.entity';
import type { StepTaskControl } from './ports';
import { STEP_OF_TASK } from './step-advance';

/**
 * Takes the step tasks' states into the run (a task's start marks its step running itself; its end comes before
 * its run hears of it); in `em` if given.
 */
export async function syncFromTasks(
  run: WorkflowRunEntity,
  tasks: Pick<StepTaskControl, 'statesOf'>,
  em?: EntityManager,
): Promise<void> {
  const open = Object.values(run.steps).filter((s) => s.taskId && !FINAL_STEP_STATUSES.includes(s.status));
  if (!open.length) return;
  for (const task of await tasks.statesOf(
    open.map((s) => s.taskId!),
    em,
  )) {
    const state = run.steps[task.stepId ?? ''];
    if (!state) continue;
    state.status = STEP_OF_TASK[task.status];
    if (FINAL_STATUSES.includes(task.status)) {
      state.output = task.output ?? null;
      state.error = task.error;
    }
  }
}
