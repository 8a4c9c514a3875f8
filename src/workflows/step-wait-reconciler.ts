import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { DueWaits, StepWaitJobs, WaitingRuns } from './ports';
import { StepDecisions } from './step-decisions';
import { StepWaitQueue } from './step-wait-queue';
import { dueWaits } from './step-waits';

/** A wait this long past due is taken to have lost its job (Redis restarted empty, a failed add). */
export const OVERDUE_MS = 1000;
/** Waits due within this are given their job again when Redis lost it; later ones when they come closer. */
export const RESTORE_HORIZON_MS = 3600 * 1000;
/** Runs looked at per pass, at most, for each of the two. */
const BATCH = 500;

/**
 * Looks after waits whose delayed job Redis lost, on each pass of the workflow sweeper: resolves those
 * already overdue itself, and adds again the jobs of those coming due (an add of a job still in Redis
 * changes nothing). Resolving is guarded by the run's row lock, so racing a job that did fire is harmless.
 */
@Injectable()
export class StepWaitReconciler {
  private readonly logger = new Logger(StepWaitReconciler.name);

  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: WaitingRuns,
    @Inject(StepDecisions) private readonly decisions: DueWaits,
    @Inject(StepWaitQueue) private readonly jobs: StepWaitJobs,
  ) {}

  async run(now = new Date()): Promise<{ fired: number; queued: number }> {
    const overdue = await this.runs.wakingBefore(new Date(now.getTime() - OVERDUE_MS), BATCH);
    for (const run of overdue) {
      await this.decisions
        .fireDue(run.id, undefined, now)
        .catch((err: Error) => this.logger.warn(`overdue waits of ${run.id}: ${err.message}`));
    }
    let queued = 0;
    const coming = await this.runs.wakingBefore(new Date(now.getTime() + RESTORE_HORIZON_MS), BATCH);
    for (const run of coming) {
      for (const { stepId, at } of dueWaits(run.steps, new Date(now.getTime() + RESTORE_HORIZON_MS))) {
        await this.jobs.add(run.id, stepId, at);
        queued += 1;
      }
    }
    if (overdue.length) this.logger.debug(`workflow waits: ${overdue.length} run(s) with overdue waits resolved`);
    return { fired: overdue.length, queued };
  }
}
