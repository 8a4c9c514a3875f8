import { Injectable, Logger } from '@nestjs/common';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';

/** A workflow run as its repository reads it. */
export type WorkflowRun = WorkflowRunEntity;

type ConcludedListener = (run: WorkflowRun) => Promise<void>;

/**
 * In-process notice that a workflow run concluded (succeeded, failed or cancelled), after its transaction
 * committed, for what builds on runs (webhooks). A listener's failure is logged, never thrown at the run.
 */
@Injectable()
export class RunLifecycle {
  private readonly logger = new Logger(RunLifecycle.name);
  private readonly listeners: ConcludedListener[] = [];

  onConcluded(listener: ConcludedListener): void {
    this.listeners.push(listener);
  }

  async concluded(run: WorkflowRun): Promise<void> {
    for (const listener of this.listeners) {
      await listener(run).catch((err: Error) => this.logger.warn(`after run ${run.id} concluded: ${err.message}`));
    }
  }
}
