import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TaskQueue } from '../../tasks/task-queue';

/** The task queue answers; its job counts come along as details. */
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
      .withTimeout(1500);
  }
}
