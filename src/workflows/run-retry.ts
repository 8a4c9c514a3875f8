import { Inject, Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import type { AuditRequestContext } from '../audit/audit-context';
import { ConflictError, InvalidStateError, NotFoundError } from '../common/errors/app.error';
import { EventBus } from '../events/event-bus';
import type { StepStatus, WorkflowRunEntity } from './entities/workflow-run.entity';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { RunEvents, RunStore } from './ports';
import { WorkflowEngine } from './workflow-engine';
import { isTaskStep, type TaskStep } from './workflow-definition';

/** What a retry takes back to running: runs that failed or were cancelled. */
export const RETRYABLE_RUN_STATUSES: readonly string[] = ['failed', 'cancelled'];
/** Steps a retry runs again; a succeeded step keeps its output. */
const RERUN: readonly StepStatus[] = ['failed', 'skipped', 'cancelled'];

/**
 * A retry would run again a step whose agent was deleted: refused before anything runs, as a new run of the
 * workflow is, rather than running the steps before it and failing there. The run keeps the definition it
 * started with, so only a new run of the workflow, changed, can use another agent.
 */
export class RunAgentDeletedError extends ConflictError {
  constructor(stepIds: string[]) {
    super(
      `The agent of step${stepIds.length > 1 ? 's' : ''} ${stepIds.join(', ')} has been deleted: this run cannot ` +
        'run it again; change the workflow and start a new run',
    );
  }
}

/** The task steps a retry of the run would run again (its failed, cancelled and skipped ones), in its order. */
export function taskStepsToRerun(run: Pick<WorkflowRunEntity, 'definition' | 'steps'>): TaskStep[] {
  return run.definition.filter(isTaskStep).filter((step) => RERUN.includes(run.steps[step.id]?.status));
}

/**
 * Puts a failed or cancelled run back to running with its failed, cancelled and skipped steps pending again;
 * succeeded steps keep their outputs, which the steps run again see as before. A step skipped for its
 * condition is decided again and skipped again if the condition still does not hold; an approval or wait step
 * waits anew (its decision and times dropped). Returns the step ids.
 */
export function resetForRetry(run: WorkflowRunEntity): string[] {
  const again = Object.entries(run.steps).filter(([, state]) => RERUN.includes(state.status));
  for (const [id] of again) run.steps[id] = { status: 'pending', taskId: null, output: null, error: null };
  Object.assign(run, { status: 'running', output: null, finishedAt: null });
  return again.map(([id]) => id);
}

/**
 * A run's retry: reset under the run's lock with its audit entry, then advanced by the engine, which queues
 * the steps that can run again.
 */
@Injectable()
export class RunRetry {
  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: RunStore,
    private readonly engine: WorkflowEngine,
    @Inject(EventBus) private readonly events: RunEvents,
    @Inject(AgentsService) private readonly agents: Pick<AgentsService, 'liveIds'>,
  ) {}

  /**
   * `createdBy` limits it to that user's run. `audit` false writes no entry of its own (a bulk operation's
   * entries cover it). Throws when the run is not failed or cancelled, or would run a deleted agent's step.
   */
  async retry(
    runId: string,
    createdBy: string | undefined,
    audit: AuditRequestContext | undefined | false,
  ): Promise<WorkflowRunEntity> {
    const run = await this.runs.transaction(async (tx) => {
      const locked = await tx.lock(runId);
      if (!locked || (createdBy && locked.createdBy !== createdBy)) throw new NotFoundError('Workflow run');
      if (!RETRYABLE_RUN_STATUSES.includes(locked.status))
        throw new InvalidStateError(`A ${locked.status} run cannot be retried`);
      const again = taskStepsToRerun(locked);
      const live = await this.agents.liveIds(
        again.map((step) => step.agentId),
        tx.em,
      );
      const gone = again.filter((step) => !live.has(step.agentId)).map((step) => step.id);
      if (gone.length) throw new RunAgentDeletedError(gone);
      const steps = resetForRetry(locked);
      await tx.save(locked);
      if (audit !== false)
        await tx.audit(
          {
            action: 'workflow_run.retry',
            outcome: 'success',
            resourceType: 'workflowRun',
            resourceId: runId,
            details: { steps },
          },
          audit,
        );
      return locked;
    });
    this.events.publishRun(run);
    return (await this.engine.advance(runId)) ?? run;
  }
}
