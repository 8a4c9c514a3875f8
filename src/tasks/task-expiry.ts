import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '../events/event-bus';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { Metrics } from '../metrics/metrics.service';
import { AgentsService } from '../agents/agents.service';
import { TaskExpiryQueries } from './persistence/task-expiry-queries';
import type { AgentLookup, EventPublisher, TaskJobs, TaskMetrics } from './ports';
import type { Task } from './task';
import { taskEvent } from './task-event';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueue } from './task-queue';

/** How often queued tasks past their expiry time are looked for, across the workers. */
export const EXPIRY_SWEEP_MS = 5000;
const PAGE = 500;
/** Pages of one pass at most: a pass stays short, the next one goes on. */
const MAX_PAGES = 20;

/**
 * Ends tasks still queued at their expiry time (`expireAt`) as `expired`, never running them: a worker checks
 * when it picks a task up ({@link expireOne}), and this periodic job expires the overdue ones no worker picks
 * up (a paused agent, busy workers, no worker at all). Each expiry is audited (a system actor), counted in the
 * metrics (`status="expired"`), announced live, and reported to what builds on tasks (workflow runs,
 * webhooks' `task.expired`).
 */
@PeriodicJob({ name: 'tasks.expire', everyMs: EXPIRY_SWEEP_MS, roles: WORKER_ROLES })
@Injectable()
export class TaskExpiry implements PeriodicJobHandler {
  private readonly logger = new Logger(TaskExpiry.name);

  constructor(
    private readonly queries: TaskExpiryQueries,
    @Inject(Metrics) private readonly metrics: TaskMetrics,
    @Inject(EventBus) private readonly events: EventPublisher,
    private readonly lifecycle: TaskLifecycle,
    @Inject(TaskQueue) private readonly queue: Pick<TaskJobs, 'remove'>,
    @Inject(AgentsService) private readonly agents: Pick<AgentLookup, 'forTask'>,
  ) {}

  /** One pass; returns how many tasks it expired. */
  async run(): Promise<number> {
    let count = 0;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const expired = await this.queries.expireOverdue(PAGE);
      await this.announce(expired);
      // Their jobs would only find them expired.
      await Promise.all(expired.map((task) => this.queue.remove(task.id).catch(() => undefined)));
      count += expired.length;
      if (expired.length < PAGE) break;
    }
    if (count) this.logger.log(`expired ${count} task(s) not started in time`);
    return count;
  }

  /** Expires the task when it is queued and past its expiry time: true when it did. */
  async expireOne(taskId: string): Promise<boolean> {
    const expired = await this.queries.expireOne(taskId);
    if (expired) await this.announce([expired]);
    return expired !== undefined;
  }

  private async announce(expired: Task[]): Promise<void> {
    for (const task of expired) {
      // The agent's type labels the metric; a deleted agent's is not known any more.
      const agent = await this.agents.forTask(task.agentId).catch(() => undefined);
      this.metrics.taskFinished(agent?.type ?? 'unknown', 'expired');
      this.events.publish(taskEvent(task));
      await this.lifecycle.finished(task);
    }
  }
}
