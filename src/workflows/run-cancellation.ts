import { Inject, Injectable } from '@nestjs/common';
import type { AuditRequestContext } from '../audit/audit-context';
import { InvalidStateError, NotFoundError } from '../common/errors/app.error';
import { EventBus } from '../events/event-bus';
import { FINAL_STATUSES } from '../tasks/task';
import { syncFromTasks } from './step-task-states';
import { TaskBulkActions } from '../tasks/task-bulk-actions';
import { TasksService } from '../tasks/tasks.service';
import { FINAL_STEP_STATUSES, type WorkflowRunEntity } from './entities/workflow-run.entity';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { RunEvents, RunStore, StepTaskCancel, StepTaskControl, StepWaitJobs } from './ports';
import { RunLifecycle } from './run-lifecycle';
import { STEP_OF_TASK } from './step-advance';
import { StepWaitQueue } from './step-wait-queue';

/**
 * Cancels running runs: their steps still open are `cancelled` and their tasks stopped, in the run's transaction,
 * while a step whose task has ended keeps its task's end (a succeeded step its output: a retry of the run does
 * not run it again).
 */
@Injectable()
export class RunCancellation {
  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: RunStore,
    @Inject(TasksService) private readonly tasks: StepTaskControl,
    @Inject(TaskBulkActions) private readonly stepTasks: StepTaskCancel,
    @Inject(EventBus) private readonly events: RunEvents,
    @Inject(RunLifecycle) private readonly runLifecycle: Pick<RunLifecycle, 'concluded'>,
    @Inject(StepWaitQueue) private readonly waitJobs: StepWaitJobs,
  ) {}

  /**
   * Cancels the run, every step that has not finished and their tasks, in one transaction with the run's audit
   * entry and each task's, for the same caller: once it commits no step task can start, and a process that dies
   * right after leaves none to run on. Running tasks are then told to stop, and the jobs of the others removed.
   * `audit` false writes none of these entries: a bulk operation's stand for them. The run's status is checked
   * under its row lock, so of cancels at once one succeeds and the others find it cancelled. `createdBy` limits it
   * to that user's run.
   */
  async cancel(
    runId: string,
    createdBy: string | undefined,
    audit?: AuditRequestContext | false,
  ): Promise<WorkflowRunEntity> {
    const { run, afterCommit, waited } = await this.runs.transaction(async (tx) => {
      const locked = await tx.lock(runId);
      if (!locked || (createdBy && locked.createdBy !== createdBy)) throw new NotFoundError('Workflow run');
      if (locked.status !== 'running') throw new InvalidStateError(`A ${locked.status} run cannot be cancelled`);
      await syncFromTasks(locked, this.tasks, tx.em);
      const open = Object.values(locked.steps).filter((s) => !FINAL_STEP_STATUSES.includes(s.status));
      const waitedIds = Object.entries(locked.steps)
        .filter(([, s]) => s.status === 'waiting')
        .map(([id]) => id);
      const taskIds = open.map((s) => s.taskId).filter((id): id is string => Boolean(id));
      const stopped = await this.stepTasks.cancelIn(tx.em, taskIds);
      const stoppedIds = new Set(stopped.tasks.map((t) => t.id));
      // A task whose end committed since it was read could not be stopped: its step takes that end.
      const ended = taskIds.filter((id) => !stoppedIds.has(id));
      for (const task of ended.length ? await this.tasks.statesOf(ended, tx.em) : []) {
        const state = locked.steps[task.stepId ?? ''];
        if (state?.taskId !== task.id || !FINAL_STATUSES.includes(task.status)) continue;
        Object.assign(state, { status: STEP_OF_TASK[task.status], output: task.output ?? null, error: task.error });
      }
      for (const state of open) if (!FINAL_STEP_STATUSES.includes(state.status)) state.status = 'cancelled';
      Object.assign(locked, { status: 'cancelled', finishedAt: new Date() });
      await tx.save(locked);
      if (audit !== false) {
        await tx.audit(
          { action: 'workflow_run.cancel', outcome: 'success', resourceType: 'workflowRun', resourceId: runId },
          audit,
        );
        for (const task of stopped.tasks)
          await tx.audit(
            { action: 'task.cancel', outcome: 'success', resourceType: 'task', resourceId: task.id },
            audit,
          );
      }
      return { run: locked, afterCommit: stopped.afterCommit, waited: waitedIds };
    });
    await afterCommit();
    // A job left behind would find its step cancelled and do nothing; removing it only tidies the queue.
    if (waited.length) await this.waitJobs.remove(runId, waited).catch(() => undefined);
    this.events.publishRun(run);
    await this.runLifecycle.concluded(run);
    return run;
  }
}
