import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import type { FinishCursor } from '../common/finish-cursor';
import { isAdmin, type Principal } from '../auth/principal';
import { Page } from '../common/http/envelope';
import { EventBus } from '../events/event-bus';
import type { TaskQueryDto } from './dto/task.dto';
import type { TaskAttemptEntity } from './entities/task-attempt.entity';
import { type Finished, type FinishedFilter, type StepTaskState, TaskRepository } from './persistence/task.repository';
import type { CancelSignals, EventPublisher, NewTasks, TaskJobs, TaskStore } from './ports';
import { type ListedTask, RETRYABLE_STATUSES, type Task } from './task';
import { TaskCancellation } from './task-cancellation';
import { taskEvent } from './task-event';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueue } from './task-queue';
import { TaskSubmission } from './task-submission';
import { StepTaskNotRetryableError, TaskNotFoundError, TaskNotRetryableError } from './tasks.errors';

export type { Finished, FinishedFilter };

/**
 * Tasks as their users see and steer them: read one, list, see its attempts, cancel, retry. Users see their
 * own tasks, admins every task; anyone else's is "not found".
 */
@Injectable()
export class TasksService {
  constructor(
    @Inject(TaskRepository) private readonly store: TaskStore,
    @Inject(TaskQueue) private readonly queue: TaskJobs,
    @Inject(EventBus) private readonly events: EventPublisher,
    @Inject(TaskCancellation) private readonly cancellation: CancelSignals,
    private readonly lifecycle: TaskLifecycle,
    @Inject(TaskSubmission) private readonly submission: NewTasks,
  ) {}

  async get(principal: Principal, id: string): Promise<Task> {
    const task = await this.store.findById(id);
    if (!task || (!isAdmin(principal) && task.createdBy !== principal.userId)) throw new TaskNotFoundError();
    return task;
  }

  /** The task, whoever created it: for the platform's own follow-ups (workflow triggers). */
  find(id: string): Promise<Task | undefined> {
    return this.store.findById(id);
  }

  /** See {@link TaskRepository.finishedSince}. */
  finishedSince(filter: FinishedFilter & { agentId?: string }, limit: number): Promise<Finished[]> {
    return this.store.finishedSince(filter, limit);
  }

  list(principal: Principal, query: TaskQueryDto): Promise<Page<ListedTask>> {
    return this.store
      .list({
        createdBy: isAdmin(principal) ? undefined : principal.userId,
        status: query.status,
        agentId: query.agentId,
        errorCode: query.errorCode,
        createdAfter: query.createdAfter,
        createdBefore: query.createdBefore,
        tag: query.tag,
        metadata: query.metadata,
        limit: query.limit,
        skip: query.skip,
      })
      .then(
        ({ items, total, totalCapped }) =>
          new Page(items, total, query.skip, query.limit, {
            totalCapped,
            hasMore: totalCapped || query.skip + items.length < total,
          }),
      );
  }

  async attempts(principal: Principal, id: string): Promise<TaskAttemptEntity[]> {
    await this.get(principal, id);
    return this.store.attempts(id);
  }

  /** Queued and retrying tasks leave the queue; a running one is aborted on whichever worker holds it. */
  cancel(principal: Principal, id: string, audit?: AuditRequestContext): Promise<Task> {
    return this.cancelAs(id, isAdmin(principal) ? undefined : principal.userId, audit);
  }

  private async cancelAs(
    id: string,
    createdBy: string | undefined,
    audit?: AuditRequestContext | false,
  ): Promise<Task> {
    const { task, wasRunning } = await this.store.cancel(id, createdBy, audit);
    if (wasRunning) await this.cancellation.requestCancel(id);
    await this.queue.remove(id).catch(() => undefined);
    this.events.publish(taskEvent(task));
    await this.lifecycle.finished(task);
    return task;
  }

  /**
   * A new run of a failed or cancelled task, from its first step (its attempt count goes on); refused for a
   * deleted agent's task, as a new task for it is, and for a workflow run's step task, which its run's retry
   * runs again (a task belongs to a run for good: its run id never changes).
   */
  async retry(principal: Principal, id: string, audit?: AuditRequestContext): Promise<Task> {
    // What the task is decides first (a succeeded task is never retried), then whether its agent takes tasks.
    const found = await this.get(principal, id);
    if (!RETRYABLE_STATUSES.includes(found.status)) throw new TaskNotRetryableError(found.status);
    if (found.runId) throw new StepTaskNotRetryableError(found.runId, found.stepId);
    await this.submission.assertAgentTakesTasks(found.agentId);
    const task = await this.store.retry(id, isAdmin(principal) ? undefined : principal.userId, audit);
    await this.queue.remove(id);
    await this.submission.afterCreate([task]);
    return task;
  }

  /** Tasks of `creators` finished after `after` and by `until`, in finish order: for catching up with them. */
  finishedBetween(after: FinishCursor, until: Date, creators: string[], limit: number): Promise<Task[]> {
    return this.store.finishedBetween(after, until, creators, limit);
  }

  /** Where tasks are (a run's steps, a schedule's last fire); in the caller's transaction when `em` is given. */
  statesOf(ids: string[], em?: EntityManager): Promise<StepTaskState[]> {
    return this.store.statesOf(ids, em);
  }
}
