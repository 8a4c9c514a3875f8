import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../../jobs/periodic-job';
import { type Finished, TasksService } from '../../tasks/tasks.service';
import { WorkflowRunRepository } from '../persistence/workflow-run.repository';
import {
  isRunEvent,
  MAX_TRIGGER_DEPTH,
  type TriggerEvent,
  triggerKey,
  type WorkflowTrigger,
} from './trigger-definition';
import { TriggerIndex, type TriggeredWorkflow } from './trigger-index';
import { TriggerQueue } from './trigger-queue';
import { TriggerStarter } from './trigger-starter';

/** Events read at once, oldest first, and pages read per trigger and pass, at most (the next pass goes on). */
const PAGE = 500;
const MAX_PAGES = 20;
/** Events younger than this are left to the start their conclusion queued (it is likely still on its way). */
const GRACE_MS = 5000;

/**
 * Queues again, once every TRIGGER_RECONCILE_INTERVAL_MS across the workers, the trigger starts that were
 * lost (the process stopped between a task's finish and the queueing, Redis lost the job): every task or run
 * that finished within TRIGGER_RECONCILE_WINDOW_MS (and at least 5 s ago), after its trigger was declared, and
 * matches a trigger whose run (found by its idempotency key) does not exist. Starts past the loop limit are left alone.
 */
@PeriodicJob({
  name: 'workflows.triggers.reconcile',
  everyMs: (config) => config.workflows.triggers.reconcileIntervalMs,
  roles: WORKER_ROLES,
})
@Injectable()
export class TriggerReconciler implements PeriodicJobHandler {
  private readonly logger = new Logger(TriggerReconciler.name);

  constructor(
    private readonly index: TriggerIndex,
    private readonly tasks: TasksService,
    private readonly runs: WorkflowRunRepository,
    private readonly queue: TriggerQueue,
    private readonly starter: TriggerStarter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(): Promise<{ queued: number }> {
    const windowStart = new Date(Date.now() - this.config.workflows.triggers.reconcileWindowMs);
    let queued = 0;
    for (const workflow of await this.index.read()) {
      const since =
        workflow.triggersSince && workflow.triggersSince > windowStart ? workflow.triggersSince : windowStart;
      for (const trigger of workflow.triggers) queued += await this.reconcile(workflow, trigger, since);
    }
    if (queued) this.logger.log(`workflow triggers: ${queued} lost start(s) queued again`);
    return { queued };
  }

  /** Queues the lost starts of one trigger, reading its events a page at a time, at most {@link MAX_PAGES}. */
  private async reconcile(workflow: TriggeredWorkflow, trigger: WorkflowTrigger, since: Date): Promise<number> {
    const event = trigger.on;
    let queued = 0;
    let after: Finished | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const filter = { createdBy: workflow.createdBy, statuses: [event.split('.')[1]], since, after };
      const finished = isRunEvent(event)
        ? await this.runs.concludedSince({ ...filter, workflowId: trigger.workflowId! }, PAGE)
        : await this.tasks.finishedSince({ ...filter, agentId: trigger.agentId }, PAGE);
      queued += await this.queueLost(workflow, event, finished);
      if (finished.length < PAGE) break;
      after = finished[finished.length - 1];
    }
    return queued;
  }

  private async queueLost(workflow: TriggeredWorkflow, event: TriggerEvent, finished: Finished[]): Promise<number> {
    if (!finished.length) return 0;
    const keyOf = (id: string) => triggerKey(workflow.id, event, id);
    const taken = await this.runs.keysTaken(
      workflow.createdBy,
      finished.map((f) => keyOf(f.id)),
    );
    const settledBefore = Date.now() - GRACE_MS;
    let queued = 0;
    for (const { id, at } of finished) {
      if (at.getTime() > settledBefore || taken.has(keyOf(id))) continue;
      const chain = await this.starter.chainOf(event, id);
      if (!chain || chain.depth > MAX_TRIGGER_DEPTH) continue;
      // A step task of a triggered run whose run already started this workflow (through another of its steps).
      if (chain.keyedBy !== id && (await this.runs.keysTaken(workflow.createdBy, [keyOf(chain.keyedBy)])).size)
        continue;
      await this.queue.add(workflow.id, event, id);
      queued += 1;
    }
    return queued;
  }
}
