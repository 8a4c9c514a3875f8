import { Injectable } from '@nestjs/common';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { WorkflowEngine } from './workflow-engine';

/**
 * Advances running runs, once every QUEUE_RECONCILE_INTERVAL_MS across the workers, in case a process died
 * between a step's end and the run's.
 */
@PeriodicJob({ name: 'workflows.sweep', everyMs: (config) => config.queue.reconcileIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class WorkflowSweeper implements PeriodicJobHandler {
  constructor(private readonly engine: WorkflowEngine) {}

  run(): Promise<number> {
    return this.sweep();
  }

  sweep(): Promise<number> {
    return this.engine.sweep();
  }
}
