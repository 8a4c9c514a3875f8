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
  private readonly running = new Map<string, AbortController>();
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
      const controller = this.running.get(taskId);
      if (controller) {
        this.logger.log(`cancelling running task ${taskId}`);
        controller.abort(new Error('cancelled'));
      }
    });
    // Subscribes once Redis answers (ioredis resubscribes after a reconnect); start-up does not wait for it.
    this.subscriber
      .subscribe(this.channel)
      .catch((err: Error) => this.logger.warn(`cancellation channel: ${err.message}`));
  }

  /** The abort controller of an attempt about to run; released when the attempt ends. */
  register(taskId: string): { controller: AbortController; release: () => void } {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    return { controller, release: () => this.running.get(taskId) === controller && this.running.delete(taskId) };
  }

  /** On shutdown, attempts still running are stopped so their jobs go back to the queue. */
  abortAll(reason: string): void {
    for (const controller of this.running.values()) controller.abort(new Error(reason));
  }

  onApplicationShutdown(): void {
    this.running.clear();
  }
}
