import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { breakerKey } from '../agents/outbound/circuit-breakers';
import { isAdmin, type Principal } from '../auth/principal';
import { REDIS } from '../redis/redis.module';
import { TaskQueue } from '../tasks/task-queue';
import { type OutcomeWindow, TaskStats } from '../tasks/task-stats';
import type { OpenBreakerDto, OutcomeWindowDto, QueueDepthDto, StatsDto } from './dto/stats.dto';

function withFailureRate(window: OutcomeWindow): OutcomeWindowDto {
  const decided = window.succeeded + window.failed;
  return { ...window, failureRate: decided === 0 ? null : window.failed / decided };
}

/**
 * The console's dashboard: task statistics from Postgres (every task for admins, a user's own otherwise, as
 * with the tasks themselves), the queue's depth from BullMQ, and circuit breakers from Redis.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly tasks: TaskStats,
    private readonly queue: TaskQueue,
    @Inject(REDIS) private readonly redis: Redis,
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
      openCircuitBreakers: await this.openBreakers(stats.recentAgentIds),
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

  /**
   * Each worker keeps its own breakers in memory and writes every change of state to Redis; this reads that
   * last written state, for the agents that ran tasks in the last day, in one round trip.
   */
  private async openBreakers(agentIds: string[]): Promise<OpenBreakerDto[]> {
    if (agentIds.length === 0) return [];
    // Sent in the same tick, the reads leave auto-pipelined: one write (per node, on a Redis Cluster, where an
    // explicit pipeline could not span the nodes the breakers' keys live on).
    const replies = await Promise.all(agentIds.map((id) => this.redis.hmget(breakerKey(id), 'state', 'changedAt')));
    return agentIds.flatMap((agentId, i) => {
      const [state, changedAt] = replies[i] ?? [];
      if (state !== 'open' && state !== 'half-open') return [];
      const since = changedAt ? new Date(changedAt) : null;
      return [{ agentId, state, since: since && !Number.isNaN(since.getTime()) ? since : null }];
    });
  }
}
