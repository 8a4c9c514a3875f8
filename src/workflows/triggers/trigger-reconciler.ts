import { Injectable, Logger } from '@nestjs/common';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../../jobs/periodic-job';
import { TasksService } from '../../tasks/tasks.service';
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
import { APP_CONFIG } from '../../config/config.module';
import { Inject } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';

/** Events looked at per trigger and pass, at most (oldest first; the next pass takes the rest). */
const BATCH = 200;

/**
 * Queues again, once every TRIGGER_RECONCILE_INTERVAL_MS across the workers, the trigger starts that were
 * lost (the process stopped between a task's finish and the queueing, Redis lost the job): every task or run
 * that finished within TRIGGER_RECONCILE_WINDOW_MS, after its trigger was declared, and matches a trigger
 * whose run (found by its idempotency key) does not exist. Starts past the loop limit are left alone.
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

  private async reconcile(workflow: TriggeredWorkflow, trigger: WorkflowTrigger, since: Date): Promise<number> {
    const event = trigger.on;
    const filter = { createdBy: workflow.createdBy, statuses: [event.split('.')[1]], since };
    const finished = isRunEvent(event)
      ? await this.runs.concludedSince({ ...filter, workflowId: trigger.workflowId! }, BATCH)
      : await this.tasks.finishedSince({ ...filter, agentId: trigger.agentId }, BATCH);
    if (!finished.length) return 0;
    const taken = await this.runs.keysTaken(
      workflow.createdBy,
      finished.map((f) => triggerKey(workflow.id, event, f.id)),
    );
    let queued = 0;
    for (const { id } of finished) {
      if (taken.has(triggerKey(workflow.id, event, id))) continue;
      if (((await this.starter.depthOf(event, id)) ?? Infinity) > MAX_TRIGGER_DEPTH) continue;
      await this.queue.add(workflow.id, event as TriggerEvent, id);
      queued += 1;
    }
    return queued;
  }
}
