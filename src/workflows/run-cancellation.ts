import { Inject, Injectable } from '@nestjs/common';
import type { AuditRequestContext } from '../audit/audit-context';
import { InvalidStateError, NotFoundError } from '../common/errors/app.error';
import { EventBus } from '../events/event-bus';
import { FINAL_STATUSES } from '../tasks/task';
import { syncFromTasks } from './step-task-states';
import { TasksService } from '../tasks/tasks.service';
import { FINAL_STEP_STATUSES, type WorkflowRunEntity } from './entities/workflow-run.entity';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { RunEvents, RunStore, StepTaskControl, StepWaitJobs } from './ports';
import { RunLifecycle } from './run-lifecycle';
import { STEP_OF_TASK } from './step-advance';
import { StepWaitQueue } from './step-wait-queue';

/**
 * Cancels running runs: their steps still open are `cancelled` and their tasks stopped, while a step whose task
 * has ended keeps its task's end (a succeeded step its output: a retry of the run does not run it again).
 */
@Injectable()
export class RunCancellation {
  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: RunStore,
    @Inject(TasksService) private readonly tasks: StepTaskControl,
    @Inject(EventBus) private readonly events: RunEvents,
    @Inject(RunLifecycle) private readonly runLifecycle: Pick<RunLifecycle, 'concluded'>,
    @Inject(StepWaitQueue) private readonly waitJobs: StepWaitJobs,
  ) {}

  /**
   * Cancels the run and every step that has not finished, with the run's audit entry in its transaction;
   * the steps' tasks are cancelled after it, each with its own entry, for the same caller. `audit` false writes
   * none of these: a bulk operation's entries stand for them. The run's status is checked under its row lock, so
   * of cancels at once one succeeds and the others find it cancelled. `createdBy` limits it to that user's run.
   */
  async cancel(
    runId: string,
    createdBy: string | undefined,
    audit?: AuditRequestContext | false,
  ): Promise<WorkflowRunEntity> {
    const { run, toCancel, waited } = await this.runs.transaction(async (tx) => {
      const locked = await tx.lock(runId);
      if (!locked || (createdBy && locked.createdBy !== createdBy)) throw new NotFoundError('Workflow run');
      if (locked.status !== 'running') throw new InvalidStateError(`A ${locked.status} run cannot be cancelled`);
      await syncFromTasks(locked, this.tasks, tx.em);
      const open = Object.entries(locked.steps).filter(([, s]) => !FINAL_STEP_STATUSES.includes(s.status));
      const waitedIds = open.filter(([, s]) => s.status === 'waiting').map(([id]) => id);
      for (const [, state] of open) state.status = 'cancelled';
      Object.assign(locked, { status: 'cancelled', finishedAt: new Date() });
      await tx.save(locked);
      if (audit !== false)
        await tx.audit(
          { action: 'workflow_run.cancel', outcome: 'success', resourceType: 'workflowRun', resourceId: runId },
          audit,
        );
      const taskIds = open.map(([, s]) => s.taskId).filter((id): id is string => Boolean(id));
      return { run: locked, toCancel: taskIds, waited: waitedIds };
    });
    const notCancelled: string[] = [];
    for (const taskId of toCancel) if (!(await this.tasks.cancelIfActive(taskId, audit))) notCancelled.push(taskId);
    // A job left behind would find its step cancelled and do nothing; removing it only tidies the queue.
    if (waited.length) await this.waitJobs.remove(runId, waited).catch(() => undefined);
    const ended = notCancelled.length ? await this.endedMeanwhile(runId, notCancelled) : undefined;
    this.events.publishRun(ended ?? run);
    await this.runLifecycle.concluded(ended ?? run);
    return ended ?? run;
  }

  /**
   * Tasks that ended between the read above and their cancel (they could not be stopped): their steps take their
   * ends, as if they had ended before. The run as it is then, or undefined when none had.
   */
  private async endedMeanwhile(runId: string, taskIds: string[]): Promise<WorkflowRunEntity | undefined> {
    const states = await this.tasks.statesOf(taskIds);
    const ended = states.filter((t) => FINAL_STATUSES.includes(t.status) && t.status !== 'cancelled');
    if (!ended.length) return undefined;
    return this.runs.transaction(async (tx) => {
      const locked = await tx.lock(runId);
      if (!locked) return undefined;
      for (const task of ended) {
        const state = locked.steps[task.stepId ?? ''];
        if (state?.taskId !== task.id || state.status !== 'cancelled') continue;
        Object.assign(state, { status: STEP_OF_TASK[task.status], output: task.output ?? null, error: task.error });
      }
      await tx.save(locked);
      return locked;
    });
  }
}
