import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { AgentsService } from '../agents/agents.service';
import { REDIS } from '../redis/redis.module';
import type { AgentChanges, JobWaker } from './ports';
import { parkedRecheckMs } from './parked-recheck';
import { TaskQueue } from './task-queue';

/** Parked tasks woken per round trip. */
const WAKE_BATCH = 500;
/** How long the parked set of an agent lives without a task parked again (each looks again well within it). */
const PARKED_TTL_MS = 3_600_000;
/** How long a parked task waits before it looks again by itself: 30 s, longer as more are parked (at most 10 min). */
const RECHECK_MS = 30_000;
const RECHECK_MAX_MS = 600_000;
/** How many parked tasks of one agent look again by themselves per second, together. */
const RECHECKS_PER_SECOND = 20;

/**
 * Tasks of paused agents. A task whose agent is paused is parked: named in the agent's parked set in Redis, its
 * job delayed for a long while (it costs nothing meanwhile, however many there are). When the agent changes
 * anywhere (resumed, deleted), each worker process hears of it and wakes them, unless it is still paused: their
 * jobs go back to wait at once. A job also looks again by itself after its delay, should its wake-up be lost. The
 * set is read, not emptied, as it is woken: a process that dies midway leaves the rest to the others.
 */
@Injectable()
export class PausedTasks implements OnApplicationBootstrap, OnModuleDestroy {
  private stop?: () => void;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AgentsService) private readonly agents: AgentChanges,
    @Inject(TaskQueue) private readonly queue: JobWaker,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.agents.onChange((id) => {
      if (id !== undefined) void this.wake(id).catch(() => undefined);
    });
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  private key(agentId: string): string {
    return `paused-parked:${agentId}`;
  }

  /** Parks the task; how long it waits before it looks again by itself. */
  async park(agentId: string, taskId: string): Promise<number> {
    const key = this.key(agentId);
    const replies = await this.redis
      .multi()
      .zadd(key, 'NX', Date.now(), taskId)
      .pexpire(key, PARKED_TTL_MS)
      .zcard(key)
      .exec();
    const parked = Number(replies?.[2]?.[1] ?? 1);
    return parkedRecheckMs(parked, RECHECK_MS, RECHECK_MAX_MS, RECHECKS_PER_SECOND);
  }

  async unpark(agentId: string, taskId: string): Promise<void> {
    await this.redis.zrem(this.key(agentId), taskId);
  }

  /** Puts the agent's parked tasks back to wait, unless it is still paused (a deleted agent's fail at once). */
  async wake(agentId: string): Promise<number> {
    const agent = await this.agents.forTask(agentId).catch(() => undefined);
    if (agent?.status === 'paused') return 0;
    const key = this.key(agentId);
    let woken = 0;
    for (;;) {
      // Read, and taken out once woken: every worker process heard of the change, and the one that dies midway
      // leaves the rest to the others.
      const ids = await this.redis.zrange(key, 0, WAKE_BATCH - 1);
      if (!ids.length) return woken;
      const missed = await this.queue.wakeEach(ids);
      await this.redis.zrem(key, ...ids);
      woken += ids.length - missed.length;
    }
  }
}
