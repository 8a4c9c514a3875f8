import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TaskQueue } from '../../tasks/task-queue';
import { CHECK_TIMEOUT_MS } from '../health-result';

/**
 * The task queue answers; its job counts come along as details. The other queues do not decide readiness: they
 * share its connection, so they answer when it does, and a backlog or failed jobs of theirs (webhooks, schedule
 * fires…) is no reason to take an API instance out of the load balancer. `queue_jobs` and system info show them.
 */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  check(key = 'queues') {
    return this.health
      .check(key)
      .attempt(async () => {
        const { queue } = this.moduleRef.get(TaskQueue, { strict: false });
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
        return { tasks: counts };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
