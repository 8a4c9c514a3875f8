import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { TaskRecoveryQueries } from './persistence/task-recovery-queries';

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
 * Cancellation of running tasks, whichever worker holds them: the API publishes the task id (after the cancel is
 * committed), every worker listens and aborts the attempt it runs for that task (if any). A message published while
 * a worker's subscription is away (Redis restarted, failed over, or the connection dropped) never reaches it: so
 * each time the subscription is made again, once Redis has confirmed it, the worker reads which of the tasks it
 * runs have ended meanwhile, and aborts their attempts as cancelled ones.
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
    @Inject(TaskRecoveryQueries) private readonly tasks: Pick<TaskRecoveryQueries, 'unfinishedAmong'>,
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
    const subscriber = this.subscriber;
    subscriber.on('message', (_channel: string, taskId: string) => this.cancel(taskId));
    // Subscribes once Redis answers; start-up does not wait for it. After a reconnect (ioredis subscribes again
    // by itself), subscribing again resolves once Redis has confirmed it: then what was missed is read.
    const subscribeAndCatchUp = (after: string) =>
      subscriber
        .subscribe(this.channel)
        .then(() => this.cancelEnded())
        .catch((err: Error) => this.logger.warn(`cancellation channel${after}: ${err.message}`));
    let connected = false;
    subscriber.on('ready', () => {
      if (!connected) return void (connected = true);
      void subscribeAndCatchUp(', after a reconnect');
    });
    void subscribeAndCatchUp('');
  }

  private cancel(taskId: string): void {
    const attempt = this.running.get(taskId);
    if (!attempt || attempt.cancelled) return;
    this.logger.log(`cancelling running task ${taskId}`);
    attempt.cancelled = true;
    attempt.controller.abort(new Error('cancelled'));
  }

  /** Aborts, as cancelled, the attempts running here whose task has ended (a cancel whose message was missed). */
  async cancelEnded(): Promise<number> {
    const ids = [...this.running].filter(([, attempt]) => !attempt.cancelled).map(([id]) => id);
    if (!ids.length) return 0;
    const unfinished = await this.tasks.unfinishedAmong(ids);
    // Not those a message cancelled meanwhile: the count says what the missed messages left running.
    const ended = ids.filter((id) => !unfinished.has(id) && this.running.get(id)?.cancelled === false);
    for (const id of ended) this.cancel(id);
    if (ended.length)
      this.logger.warn(`${ended.length} running task(s) had ended while cancellations could not reach here`);
    return ended.length;
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
