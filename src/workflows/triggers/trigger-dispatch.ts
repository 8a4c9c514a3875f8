import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Task } from '../../tasks/task';
import { TaskLifecycle } from '../../tasks/task-lifecycle';
import { RunLifecycle, type WorkflowRun } from '../run-lifecycle';
import { TRIGGER_EVENTS, type TriggerEvent } from './trigger-definition';
import { TriggerIndex } from './trigger-index';
import { TriggerQueue } from './trigger-queue';

const isTriggerEvent = (event: string): event is TriggerEvent => (TRIGGER_EVENTS as readonly string[]).includes(event);

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
    private readonly tasks: TaskLifecycle,
    private readonly runs: RunLifecycle,
  ) {}

  onModuleInit(): void {
    this.tasks.onFinished((task) => this.taskFinished(task));
    this.runs.onConcluded((run) => this.runConcluded(run));
  }

  taskFinished(task: Task): Promise<void> {
    return this.dispatch(`task.${task.status}`, task.id, task.createdBy, { agentId: task.agentId });
  }

  runConcluded(run: WorkflowRun): Promise<void> {
    return this.dispatch(`run.${run.status}`, run.id, run.createdBy, { workflowId: run.workflowId });
  }

  private async dispatch(
    event: string,
    sourceId: string,
    createdBy: string,
    source: { agentId?: string; workflowId?: string },
  ): Promise<void> {
    if (!isTriggerEvent(event)) return;
    const workflows = await this.index.matching(createdBy, event, source);
    for (const workflowId of workflows) {
      await this.queue
        .add(workflowId, event, sourceId)
        .catch((err: Error) => this.logger.warn(`trigger of workflow ${workflowId} not yet queued: ${err.message}`));
    }
  }
}
