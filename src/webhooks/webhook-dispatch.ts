import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Task } from '../tasks/task';
import { TaskLifecycle } from '../tasks/task-lifecycle';
import { taskView } from '../tasks/task-view';
import { RunLifecycle, type WorkflowRun } from '../workflows/run-lifecycle';
import { runDto } from '../workflows/run-view';
import { WebhookRepository } from './persistence/webhook.repository';
import type { WebhookEvent } from './webhook-events';
import { WebhookQueue } from './webhook-queue';

/**
 * Turns a task or a run reaching a final status into deliveries: one row per enabled endpoint of its
 * creator subscribed to the event, stored in Postgres, then queued. The task's worker waits for neither
 * the receivers nor Redis: a delivery that could not be queued is queued by the reconciler.
 */
@Injectable()
export class WebhookDispatch implements OnModuleInit {
  private readonly logger = new Logger(WebhookDispatch.name);

  constructor(
    private readonly store: WebhookRepository,
    private readonly queue: WebhookQueue,
    private readonly tasks: TaskLifecycle,
    private readonly runs: RunLifecycle,
  ) {}

  onModuleInit(): void {
    this.tasks.onFinished((task) => this.taskFinished(task));
    this.runs.onConcluded((run) => this.runConcluded(run));
  }

  /** Makes the deliveries of a task's finish; again for the same finish, none. */
  taskFinished(task: Task): Promise<void> {
    const type = `task.${task.status}` as WebhookEvent;
    return this.dispatch(type, task.id, task.finishedAt, task.createdBy, () => taskView(task));
  }

  /** Makes the deliveries of a run's conclusion; again for the same conclusion, none. */
  runConcluded(run: WorkflowRun): Promise<void> {
    return this.dispatch(`run.${run.status}` as WebhookEvent, run.id, run.finishedAt, run.createdBy, () => runDto(run));
  }

  private async dispatch(
    type: WebhookEvent,
    resourceId: string,
    occurredAt: Date | null,
    createdBy: string,
    data: () => unknown,
  ) {
    const endpoints = await this.store.subscribers(createdBy, type);
    if (!endpoints.length) return;
    const messageId = `msg_${randomUUID()}`;
    const payload = JSON.stringify({ type, timestamp: new Date().toISOString(), data: data() });
    const stored = await this.store.insertDeliveries(
      endpoints.map((e) => ({ endpointId: e.id, messageId, eventType: type, resourceId, occurredAt, payload })),
    );
    for (const id of stored) {
      await this.queue
        .add(id)
        .catch((err: Error) => this.logger.warn(`webhook delivery ${id} not yet queued: ${err.message}`));
    }
  }
}
