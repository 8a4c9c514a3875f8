import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { withRedisLock } from '../redis/redis-lock';
import { REDIS } from '../redis/redis.module';
import type { Task } from './task';
import { TaskQueue } from './task-queue';
import { TaskRecoveryQueries } from './persistence/task-recovery-queries';

const PAGE = 500;
/** Running tasks suspected of having no worker, with when (Redis time, ms) each was first suspected. */
const SUSPECTS = 'reconciler:suspects';
/**
 * A task is written to Postgres first and queued right after; one written this recently (by Postgres' clock)
 * may still be on its way to the queue, so its missing job is no sign of a loss yet.
 */
export const QUEUE_SETTLE_MS = 5000;
/** However short the lock, a worker gets this long to come back to a restarted Redis before it is given up. */
const MIN_TAKEOVER_GRACE_MS = 5000;

/**
 * Postgres is the record; the queue can be lost (a Redis restart without persistence). Once every
 * QUEUE_RECONCILE_INTERVAL_MS across the workers (a periodic job; its scheduler is put back when Redis comes
 * back empty), one worker at a time puts back every task Postgres says is queued or retrying but no job will
 * run (lost, or ended early), and takes over every running task that no job runs any more (lost with Redis, or
 * ended) and whose worker is gone. A running task whose job a worker holds is BullMQ's (its stalled-job check takes it over when
 * that worker dies); one whose worker is still connected is left to it.
 */
@PeriodicJob({ name: 'tasks.reconcile', everyMs: (config) => config.queue.reconcileIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class TaskReconciler implements PeriodicJobHandler {
  private readonly logger = new Logger(TaskReconciler.name);
  private running?: Promise<number>;
  /**
   * How long a running task must stay without job and worker before it is taken over: long enough for every
   * live worker to reconnect to a restarted Redis (and so be seen alive), as long as BullMQ gives a stalled job.
   */
  private readonly takeoverGraceMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly tasks: TaskRecoveryQueries,
    private readonly queue: TaskQueue,
  ) {
    this.takeoverGraceMs = Math.max(config.queue.lockDurationMs, MIN_TAKEOVER_GRACE_MS);
  }

  run(): Promise<number> {
    return this.reconcileOnce();
  }

  /** Returns how many tasks it queued again. */
  reconcileOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * The scheduler queues the next period's job when this one starts, so a pass that outlasts the period may
   * meet the next one in another worker: the lock keeps them from overlapping.
   */
  private async pass(): Promise<number> {
    const requeued = await withRedisLock(this.redis, 'reconciler:lock', 30_000, async () => {
      return (await this.requeueLost()) + (await this.takeOverOrphans());
    });
    return requeued ?? 0;
  }

  /**
   * Queued and retrying tasks that no job will run: the queue lost theirs, or it ended while Postgres still
   * waits for an attempt (a worker that could not reach Postgres to start the task spent the job's attempts).
   */
  private async requeueLost(): Promise<number> {
    let requeued = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.tasks.queuedIds(PAGE, after, QUEUE_SETTLE_MS);
      if (page.length === 0) break;
      const idle = new Set(await this.queue.idle(page.map((t) => t.id)));
      const lost = page.filter((t) => idle.has(t.id));
      if (lost.length) {
        await this.queue.requeue(lost);
        requeued += lost.length;
      }
      after = page[page.length - 1].id;
    }
    if (requeued) this.logger.warn(`queued ${requeued} task(s) again that had no job left to run them`);
    return requeued;
  }

  /**
   * Running tasks that nothing runs: no job will run them and the worker of their attempt is not connected.
   * Such a task is suspected first and taken over only when a later pass, a grace period on, still finds it
   * so: a live worker that was briefly away from Redis has come back by then and is seen. The taken-over task
   * keeps its attempt number (the next worker continues it), so its result is still recorded once.
   */
  private async takeOverOrphans(): Promise<number> {
    const suspects = new Set<string>();
    let live: Set<string> | undefined | null = null;
    let now = 0;
    let taken = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.tasks.runningIds(PAGE, after);
      if (page.length === 0) break;
      after = page[page.length - 1].id;
      const idle = new Set(await this.queue.idle(page.map((t) => t.id)));
      const candidates = page.filter((t) => idle.has(t.id));
      if (!candidates.length) continue;
      if (live === null) {
        live = await this.queue.liveWorkers();
        now = await this.redisNow();
      }
      // Connection names unknown: no way to tell a dead worker from a live one, so nothing is taken over.
      if (!live) return 0;
      const holders = await this.tasks.attemptWorkers(candidates);
      const orphans = candidates.filter((t) => !live!.has(holders.get(t.id) ?? ''));
      if (!orphans.length) continue;
      for (const t of orphans) suspects.add(t.id);
      const due = await this.dueForTakeover(orphans, now);
      if (due.length) {
        await this.queue.requeue(due);
        await this.redis.hdel(SUSPECTS, ...due.map((t) => t.id));
        for (const t of due) suspects.delete(t.id);
        taken += due.length;
      }
    }
    await this.forgetCleared(suspects);
    if (taken) this.logger.warn(`took over ${taken} running task(s) whose job and worker were gone`);
    return taken;
  }

  /** Notes first suspicions; returns the tasks suspected for at least the grace period. */
  private async dueForTakeover(orphans: Task[], now: number): Promise<Task[]> {
    const ids = orphans.map((t) => t.id);
    const since = await this.redis.hmget(SUSPECTS, ...ids);
    const fresh = ids.filter((_, i) => since[i] === null);
    if (fresh.length) await this.redis.hset(SUSPECTS, Object.fromEntries(fresh.map((id) => [id, String(now)])));
    return orphans.filter((_, i) => since[i] !== null && now - Number(since[i]) >= this.takeoverGraceMs);
  }

  /** Drops suspicions of tasks found running normally (or finished) in this pass. */
  private async forgetCleared(stillSuspected: Set<string>): Promise<void> {
    const known = await this.redis.hkeys(SUSPECTS);
    const cleared = known.filter((id) => !stillSuspected.has(id));
    if (cleared.length) await this.redis.hdel(SUSPECTS, ...cleared);
  }

  /** Redis's clock, the same for every process that compares suspicion times. */
  private async redisNow(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }
}
