import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { TaskQueue } from './task-queue';
import { TasksService } from './tasks.service';

const PAGE = 500;

/**
 * Postgres is the record; the queue can be lost (a Redis restart without persistence). Every interval,
 * one worker at a time puts back every task Postgres says is queued or retrying but the queue no longer
 * holds.
 */
@Injectable()
export class TaskReconciler {
  private readonly logger = new Logger(TaskReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly tasks: TasksService,
    private readonly queue: TaskQueue,
  ) {}

  /** A first pass now (in the background), then one every QUEUE_RECONCILE_INTERVAL_MS. */
  start(): void {
    this.reconcileOnce().catch((err: Error) => this.logger.warn(`reconcile: ${err.message}`));
    this.timer = setInterval(() => {
      this.reconcileOnce().catch((err: Error) => this.logger.warn(`reconcile: ${err.message}`));
    }, this.config.queue.reconcileIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Returns how many tasks it queued again. */
  reconcileOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const lock = await this.redis.set('reconciler:lock', '1', 'PX', 30_000, 'NX');
    if (lock !== 'OK') return 0;
    try {
      let requeued = 0;
      let after: string | undefined;
      for (;;) {
        const page = await this.tasks.queuedIds(PAGE, after);
        if (page.length === 0) break;
        const missing = new Set(await this.queue.missing(page.map((t) => t.id)));
        const lost = page.filter((t) => missing.has(t.id));
        if (lost.length) {
          await this.queue.enqueueMany(lost);
          requeued += lost.length;
        }
        after = page[page.length - 1].id;
      }
      if (requeued) this.logger.warn(`queued ${requeued} task(s) again that the queue had lost`);
      return requeued;
    } finally {
      await this.redis.del('reconciler:lock');
    }
  }
}
