import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type Conclusion, Conclusions } from '../conclusions';
import { TriggerIndex } from './trigger-index';
import { TriggerQueue } from './trigger-queue';

/**
 * Turns a task or a run reaching a final status into trigger starts: one queued job per workflow of its
 * creator that starts on it. The creator's triggers come from {@link TriggerIndex}'s cache, so the usual task,
 * which starts nothing, costs no query. A start that could not be queued (Redis away, the process killed) is
 * queued by the reconciler.
 */
@Injectable()
export class TriggerDispatch implements OnModuleInit {
  private readonly logger = new Logger(TriggerDispatch.name);

  constructor(
    private readonly index: TriggerIndex,
    private readonly queue: TriggerQueue,
    private readonly conclusions: Conclusions,
  ) {}

  onModuleInit(): void {
    this.conclusions.on((concluded) => this.dispatch(concluded));
  }

  private async dispatch({ event, id, createdBy, agentId, workflowId }: Conclusion): Promise<void> {
    const workflows = await this.index.matching(createdBy, event, { agentId, workflowId });
    for (const workflow of workflows) {
      await this.queue
        .add(workflow, event, id)
        .catch((err: Error) => this.logger.warn(`trigger of workflow ${workflow} not yet queued: ${err.message}`));
    }
  }
}
