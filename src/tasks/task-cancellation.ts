import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';

/**
 * Cancellation of running tasks, whichever worker holds them: the API publishes the task id, every
 * worker listens and aborts the attempt it runs for that task (if any).
 */
@Injectable()
export class TaskCancellation implements OnApplicationShutdown {
  private readonly logger = new Logger(TaskCancellation.name);
  private readonly channel: string;
  /** The attempts running here, by task: the controller of each one's signal, and whether a cancel aborted it. */
  private readonly running = new Map<string, { controller: AbortController; cancelled: boolean }>();
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:events:task-cancel`;
  }

  async requestCancel(taskId: string): Promise<void> {
    await this.redis.publish(this.channel, taskId);
  }

  /** Workers call this once: from then on, cancellations reach the attempts registered here. */
  listen(): void {
    if (this.subscriber) return;
    this.subscriber = this.connections.create('subscriber');
    this.subscriber.on('message', (_channel: string, taskId: string) => {
      const attempt = this.running.get(taskId);
      if (attempt) {
        this.logger.log(`cancelling running task ${taskId}`);
        attempt.cancelled = true;
        attempt.controller.abort(new Error('cancelled'));
      }
    });
    // Subscribes once Redis answers (ioredis resubscribes after a reconnect); start-up does not wait for it.
    this.subscriber
      .subscribe(this.channel)
      .catch((err: Error) => this.logger.warn(`cancellation channel: ${err.message}`));
  }

  /**
   * An attempt about to run: a cancel (or {@link abortAll}) aborts `controller`, the attempt's own, and
   * `cancelled()` tells such an abort from the attempt's other ones (its timeout). Released when the attempt
   * ends. (The attempt's controller is used, not one of its own linked to it: one signal per attempt.)
   */
  register(taskId: string, controller: AbortController): { cancelled: () => boolean; release: () => void } {
    const attempt = { controller, cancelled: false };
    this.running.set(taskId, attempt);
    return {
      cancelled: () => attempt.cancelled,
      release: () => this.running.get(taskId) === attempt && this.running.delete(taskId),
    };
  }

  /** On shutdown, attempts still running are stopped so their jobs go back to the queue. */
  abortAll(reason: string): void {
    for (const attempt of this.running.values()) {
      attempt.cancelled = true;
      attempt.controller.abort(new Error(reason));
    }
  }

  onApplicationShutdown(): void {
    this.running.clear();
  }
}
