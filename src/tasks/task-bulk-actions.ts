import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { EventBus } from '../events/event-bus';
import { TaskBulkWrites } from './persistence/task-bulk-writes';
import type { TaskFilter } from './persistence/task-filter';
import type { CancelSignals, EventPublisher, LiveAgents } from './ports';
import { CANCELLABLE_STATUSES, RETRYABLE_STATUSES, type Task } from './task';
import { TaskCancellation } from './task-cancellation';
import { taskEvent } from './task-event';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueue } from './task-queue';

export type TaskBulkAction = 'retry' | 'cancel';
export type { TaskFilter };
/** The list's filters, which a bulk operation on tasks takes too. */
export { TaskQueryDto } from './dto/task.dto';

/** What one batch came to: its last id (the next batch starts after it), and how many changed or not. */
export interface TaskBatchOutcome {
  lastId: string | undefined;
  done: number;
  failed: number;
  /** What follows the batch's commit: retried tasks queued, cancelled ones signalled. */
  afterCommit(): Promise<void>;
}

/**
 * Retry and cancel of every task a filter matches, a batch at a time, with the rules of one task's retry and
 * cancel: only failed and cancelled tasks of agents not deleted, and not workflow runs' step tasks, are
 * retried (the others count as not changed); only tasks not final yet are cancelled. Each batch is one
 * guarded UPDATE in the caller's transaction; after it commits, retried tasks are queued (their old jobs gone
 * first, as a single retry does) and running cancelled ones get the cancel signal.
 */
@Injectable()
export class TaskBulkActions {
  private readonly logger = new Logger(TaskBulkActions.name);

  constructor(
    private readonly writes: TaskBulkWrites,
    private readonly queue: TaskQueue,
    @Inject(EventBus) private readonly events: EventPublisher,
    @Inject(TaskCancellation) private readonly cancellation: CancelSignals,
    private readonly lifecycle: TaskLifecycle,
    @Inject(AgentsService) private readonly agents: LiveAgents,
  ) {}

  /** The filter narrowed to the tasks the action applies to. */
  static applicable(action: TaskBulkAction, filter: TaskFilter): TaskFilter {
    const allowed = action === 'retry' ? RETRYABLE_STATUSES : CANCELLABLE_STATUSES;
    const statuses = filter.status === undefined ? allowed : allowed.filter((s) => s === filter.status);
    // A run's step task is retried with its run, never alone: a retry neither counts nor reaches it.
    return { ...filter, status: undefined, statuses, withoutRun: action === 'retry' || undefined };
  }

  count(action: TaskBulkAction, filter: TaskFilter): Promise<number> {
    return this.writes.count(TaskBulkActions.applicable(action, filter));
  }

  async applyBatch(
    em: EntityManager,
    action: TaskBulkAction,
    filter: TaskFilter,
    after: string | null,
    limit: number,
  ): Promise<TaskBatchOutcome> {
    const page = await this.writes.pageAfter(em, TaskBulkActions.applicable(action, filter), after, limit);
    const ids = page.map((task) => task.id);
    const lastId = ids[ids.length - 1];
    if (action === 'retry') {
      // A deleted agent's task is not run again (its single retry is refused): it counts as not retried.
      const live = await this.agents.liveIds(
        page.map((task) => task.agentId),
        em,
      );
      const tasks = await this.writes.retryMany(
        em,
        page.filter((task) => live.has(task.agentId)).map((task) => task.id),
      );
      return { lastId, done: tasks.length, failed: ids.length - tasks.length, afterCommit: () => this.queued(tasks) };
    }
    const cancelled = await this.writes.cancelMany(em, ids);
    return {
      lastId,
      done: cancelled.length,
      failed: ids.length - cancelled.length,
      afterCommit: () => this.cancelled(cancelled),
    };
  }

  /**
   * Cancels these tasks in the caller's transaction, only those not final yet (a workflow run's open step tasks,
   * with its run): the tasks it cancelled, and what follows the commit (running ones signalled, the jobs of the
   * others removed, each one's event and end). Once committed, none of them can start: a worker's start is a
   * guarded `queued → running`.
   */
  async cancelIn(em: EntityManager, ids: string[]): Promise<{ tasks: Task[]; afterCommit(): Promise<void> }> {
    const cancelled = await this.writes.cancelMany(em, ids);
    return { tasks: cancelled.map(({ task }) => task), afterCommit: () => this.cancelled(cancelled) };
  }

  /** Postgres has them queued: when Redis is away, the reconciler queues them once it is back. */
  private async queued(tasks: Task[]): Promise<void> {
    if (!tasks.length) return;
    await this.queue
      .requeue(tasks)
      .catch((err: Error) => this.logger.error(`could not queue ${tasks.length} retried task(s): ${err.message}`));
    for (const task of tasks) this.events.publish(taskEvent(task));
  }

  private async cancelled(cancelled: { task: Task; wasRunning: boolean }[]): Promise<void> {
    await Promise.all(
      cancelled.map(({ task, wasRunning }) =>
        (wasRunning ? this.cancellation.requestCancel(task.id) : this.queue.remove(task.id)).catch(() => undefined),
      ),
    );
    for (const { task } of cancelled) {
      this.events.publish(taskEvent(task));
      await this.lifecycle.finished(task);
    }
  }
}
