import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';

/**
 * An attempt running here: its signal's controller; whether a cancel reached it, whenever that was; and whether
 * {@link TaskCancellation.handBackAll} aborted it (not when something else had: its timeout, a cancel).
 */
interface RunningAttempt {
  controller: AbortController;
  cancelled: boolean;
  handedBack: boolean;
}

function handBack(attempt: RunningAttempt): void {
  if (attempt.controller.signal.aborted) return;
  attempt.handedBack = true;
  attempt.controller.abort(new DOMException('The worker is stopping', 'AbortError'));
}

/**
 * Cancellation of running tasks, whichever worker holds them: the API publishes the task id, every
 * worker listens and aborts the attempt it runs for that task (if any).
 */
@Injectable()
export class TaskCancellation implements OnApplicationShutdown {
  private readonly logger = new Logger(TaskCancellation.name);
  private readonly channel: string;
  /** The attempts running here, by task: the controller of each one's signal, and why it was aborted, if it was. */
  private readonly running = new Map<string, RunningAttempt>();
  /** Set by {@link handBackAll}: an attempt registered from then on is handed back at once. */
  private handingBack = false;
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
   * An attempt about to run: a cancel aborts `controller`, the attempt's own, and so does {@link handBackAll}.
   * `cancelled()` and `handedBack()` tell such aborts from the attempt's other ones (its timeout); a cancel that
   * comes after a hand-back still counts (the task is cancelled, not to be run again). Released when the attempt
   * ends. (The attempt's controller is used, not one of its own linked to it: one signal per attempt.)
   */
  register(
    taskId: string,
    controller: AbortController,
  ): { cancelled: () => boolean; handedBack: () => boolean; release: () => void } {
    const attempt: RunningAttempt = { controller, cancelled: false, handedBack: false };
    this.running.set(taskId, attempt);
    if (this.handingBack) handBack(attempt);
    return {
      cancelled: () => attempt.cancelled,
      handedBack: () => attempt.handedBack,
      release: () => this.running.get(taskId) === attempt && this.running.delete(taskId),
    };
  }

  /**
   * Near the shutdown deadline: the attempts still running here (and any registered later) are aborted, to be
   * handed back to the queue, where another worker continues them.
   */
  handBackAll(): void {
    this.handingBack = true;
    for (const attempt of this.running.values()) handBack(attempt);
  }

  onApplicationShutdown(): void {
    this.running.clear();
  }
}
