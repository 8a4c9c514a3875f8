import { Injectable } from '@nestjs/common';
import { CircuitBreakers } from '../agents/outbound';
import { isAdmin, type Principal } from '../auth/principal';
import { TaskQueue } from '../tasks/task-queue';
import { type OutcomeWindow, TaskStats } from '../tasks/task-stats';
import type { OutcomeWindowDto, QueueDepthDto, StatsDto } from './dto/stats.dto';

function withFailureRate(window: OutcomeWindow): OutcomeWindowDto {
  const decided = window.succeeded + window.failed;
  return { ...window, failureRate: decided === 0 ? null : window.failed / decided };
}

/**
 * The console's dashboard: task statistics from Postgres (every task for admins, a user's own otherwise, as
 * with the tasks themselves), the queue's depth from BullMQ, and the circuit breakers' last state (CircuitBreakers).
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly tasks: TaskStats,
    private readonly queue: TaskQueue,
    private readonly breakers: CircuitBreakers,
  ) {}

  async snapshot(principal: Principal): Promise<StatsDto> {
    const all = isAdmin(principal);
    const [stats, queue] = await Promise.all([
      this.tasks.snapshot(all ? undefined : principal.userId),
      principal.permissions.has('system:read') ? this.queueDepth() : null,
    ]);
    return {
      scope: all ? 'all' : 'own',
      generatedAt: new Date(),
      perMinute: stats.perMinute,
      perHour: stats.perHour,
      lastHour: withFailureRate(stats.lastHour),
      lastDay: withFailureRate(stats.lastDay),
      running: stats.running,
      queue,
      openCircuitBreakers: await this.breakers.unclosed(stats.recentAgentIds),
    };
  }

  private async queueDepth(): Promise<QueueDepthDto> {
    const counts = await this.queue.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      waiting: counts.waiting ?? 0,
      prioritized: counts.prioritized ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }
}
