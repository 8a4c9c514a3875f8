import { Injectable, Logger } from '@nestjs/common';
import type { Task } from './task';

type FinishedListener = (task: Task) => Promise<void>;

/**
 * In-process notice that a task reached a final status, for what builds on tasks (workflow runs). A
 * listener's failure is logged, never thrown at the task: the sweeper of the listener catches up.
 */
@Injectable()
export class TaskLifecycle {
  private readonly logger = new Logger(TaskLifecycle.name);
  private readonly listeners: FinishedListener[] = [];

  onFinished(listener: FinishedListener): void {
    this.listeners.push(listener);
  }

  async finished(task: Task): Promise<void> {
    for (const listener of this.listeners) {
      await listener(task).catch((err: Error) => this.logger.warn(`after task ${task.id} finished: ${err.message}`));
    }
  }
}
