import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { withRedisLock } from '../redis/redis-lock';
import { REDIS } from '../redis/redis.module';
import { abandonedAttempt } from './attempt-errors';
import { TaskQueue } from './task-queue';
import { type OpenAttempt, TaskRecoveryQueries } from './persistence/task-recovery-queries';

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
 * What a pass learns of Redis once, when first needed: the workers connected (undefined when Redis does not
 * tell connection names) and Redis's time.
 */
type Sighting = () => Promise<{ live: Set<string> | undefined; now: number }>;

/**
 * Postgres is the record; the queue can be lost (a Redis restart without persistence). Once every
 * QUEUE_RECONCILE_INTERVAL_MS across the workers (a periodic job; its scheduler is put back when Redis comes
 * back empty), one worker at a time puts back every task Postgres says is queued or retrying but no job will
 * run (lost, or ended early), and takes over every running task that no job runs any more (lost with Redis, or
 * ended) and whose worker is gone. A running task whose job a worker holds is BullMQ's (its stalled-job check takes it over when
 * that worker dies); one whose worker is still connected is left to it. It also closes the attempts that tasks
 * which ended (cancelled while their worker was away) left open once no job and no worker is left to close them.
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
      const sighting = this.sighting();
      const suspects = new Set<string>();
      const queued = (await this.requeueLost()) + (await this.takeOverOrphans(sighting, suspects));
      await this.closeAbandoned(sighting, suspects);
      await this.forgetCleared(suspects);
      return queued;
    });
    return requeued ?? 0;
  }

  /** Asks Redis which workers are connected, and its time, once per pass and only if a pass needs them. */
  private sighting(): Sighting {
    let seen: ReturnType<Sighting> | undefined;
    return () =>
      (seen ??= Promise.all([this.queue.liveWorkers(), this.redisNow()]).then(([live, now]) => ({ live, now })));
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
  private async takeOverOrphans(sighting: Sighting, suspects: Set<string>): Promise<number> {
    let taken = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.tasks.runningIds(PAGE, after);
      if (page.length === 0) break;
      after = page[page.length - 1].id;
      const idle = new Set(await this.queue.idle(page.map((t) => t.id)));
      const candidates = page.filter((t) => idle.has(t.id));
      if (!candidates.length) continue;
      const { live, now } = await sighting();
      // Connection names unknown: no way to tell a dead worker from a live one, so nothing is taken over.
      if (!live) return 0;
      const holders = await this.tasks.attemptWorkers(candidates);
      const orphans = candidates.filter((t) => !live.has(holders.get(t.id) ?? ''));
      if (!orphans.length) continue;
      const due = await this.dueAfterGrace(orphans, (t) => t.id, now, suspects);
      if (due.length) {
        await this.queue.requeue(due);
        await this.forgive(
          due.map((t) => t.id),
          suspects,
        );
        taken += due.length;
      }
    }
    if (taken) this.logger.warn(`took over ${taken} running task(s) whose job and worker were gone`);
    return taken;
  }

  /**
   * Attempts still open although their task ended: cancelled while its worker was away, and neither that worker
   * nor a job is left to close the attempt (a worker that takes the task's job closes it; see
   * `TaskRunner.notRunnable`). Left open, the attempt says `running` for ever and keeps counting as holding its
   * agent's slot. One whose job is gone and whose worker is not connected is suspected first, as a running
   * orphan is, and closed as its runner would have closed it once a later pass, a grace period on, agrees.
   */
  private async closeAbandoned(sighting: Sighting, suspects: Set<string>): Promise<number> {
    let closed = 0;
    let after: OpenAttempt | undefined;
    for (;;) {
      const page = await this.tasks.openAttemptsOfEnded(PAGE, after);
      if (page.length === 0) break;
      after = page[page.length - 1];
      const idle = new Set(await this.queue.idle([...new Set(page.map((a) => a.taskId))]));
      const candidates = page.filter((a) => idle.has(a.taskId));
      if (!candidates.length) continue;
      const { live, now } = await sighting();
      if (!live) return closed;
      const abandoned = candidates.filter((a) => !live.has(a.workerId));
      if (!abandoned.length) continue;
      const due = await this.dueAfterGrace(abandoned, (a) => a.taskId, now, suspects);
      if (due.length) {
        const at = new Date();
        closed += await this.tasks.closeAttempts(
          due.map((attempt) => ({ attempt, ...abandonedAttempt(attempt.taskStatus) })),
          at,
        );
        await this.forgive(
          due.map((a) => a.taskId),
          suspects,
        );
      }
    }
    if (closed) this.logger.warn(`closed ${closed} attempt(s) of ended tasks whose job and worker were gone`);
    return closed;
  }

  /**
   * Notes first suspicions (in `suspects` too, for {@link forgetCleared}); returns those suspected for at
   * least the grace period.
   */
  private async dueAfterGrace<T>(
    orphans: T[],
    idOf: (o: T) => string,
    now: number,
    suspects: Set<string>,
  ): Promise<T[]> {
    const ids = orphans.map(idOf);
    for (const id of ids) suspects.add(id);
    const since = await this.redis.hmget(SUSPECTS, ...ids);
    const fresh = ids.filter((_, i) => since[i] === null);
    if (fresh.length) await this.redis.hset(SUSPECTS, Object.fromEntries(fresh.map((id) => [id, String(now)])));
    return orphans.filter((_, i) => since[i] !== null && now - Number(since[i]) >= this.takeoverGraceMs);
  }

  /** Drops the suspicions of tasks dealt with. */
  private async forgive(ids: string[], suspects: Set<string>): Promise<void> {
    await this.redis.hdel(SUSPECTS, ...ids);
    for (const id of ids) suspects.delete(id);
  }

  /** Drops suspicions of tasks not found orphaned in this pass (running normally, finished, attempt closed). */
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
