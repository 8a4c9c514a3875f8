import { Injectable } from '@nestjs/common';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { StepWaitReconciler } from './step-wait-reconciler';
import { WorkflowEngine } from './workflow-engine';

/**
 * Advances running runs, once every QUEUE_RECONCILE_INTERVAL_MS across the workers, in case a process died
 * between a step's end and the run's; and looks after waits whose job Redis lost (StepWaitReconciler).
 */
@PeriodicJob({ name: 'workflows.sweep', everyMs: (config) => config.queue.reconcileIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class WorkflowSweeper implements PeriodicJobHandler {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly waits: StepWaitReconciler,
  ) {}

  async run(): Promise<number> {
    const swept = await this.sweep();
    await this.waits.run();
    return swept;
  }

  sweep(): Promise<number> {
    return this.engine.sweep();
  }
}
