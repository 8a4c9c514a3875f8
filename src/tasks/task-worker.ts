import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { AgentStateStore } from '../agents/agent-state.store';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { TaskCancellation } from './task-cancellation';
import { type TaskJobData, TASKS_QUEUE } from '../jobs/queues';
import { TASK_BACKOFF } from './task-queue';
import { RetryLaterError } from './attempt-errors';
import { TaskRunner } from './task-runner';
import { RepeatedWarnings } from '../common/repeated-warnings';
import { ShutdownDeadline } from '../common/process/shutdown-deadline';
import { workerErrorMessage } from '../jobs/worker-errors';

/** How long before the shutdown deadline (`SHUTDOWN_TIMEOUT_MS`) running attempts are handed back, at most. */
export const HAND_BACK_MARGIN_MS = 5000;

/**
 * When, from the start of a shutdown, attempts still running are handed back to the queue: {@link
 * HAND_BACK_MARGIN_MS} before its deadline (a quarter of a shorter one), time for them to unwind and the process
 * to close.
 */
export function handBackAfterMs(shutdownTimeoutMs: number): number {
  return shutdownTimeoutMs - Math.min(HAND_BACK_MARGIN_MS, Math.floor(shutdownTimeoutMs / 4));
}

/**
 * The BullMQ worker of this process (APP_ROLE worker or all). Thin: each job is handed to the
 * {@link TaskRunner}. On shutdown it stops taking jobs and waits for the ones it holds; attempts still running
 * near the deadline are aborted and their jobs put back to wait, for another worker to continue at once.
 */
@Injectable()
export class TaskWorker implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(TaskWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<TaskJobData>;
  private handBackTimer?: NodeJS.Timeout;
  /** The worker's close, begun when the shutdown begins (see {@link onModuleDestroy}). */
  private closing?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnectionFactory,
    private readonly runner: TaskRunner,
    private readonly cancellation: TaskCancellation,
    private readonly agentState: AgentStateStore,
    private readonly shutdown: ShutdownDeadline,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.cancellation.listen();
    this.worker = new Worker<TaskJobData>(
      TASKS_QUEUE,
      (job: Job<TaskJobData>, token?: string, signal?: AbortSignal) => this.runner.run(job, token, signal),
      {
        connection: this.connections.create('queue'),
        prefix: this.connections.queuePrefix,
        concurrency: this.config.worker.concurrency,
        lockDuration: this.config.queue.lockDurationMs,
        stalledInterval: Math.max(1000, Math.floor(this.config.queue.lockDurationMs / 2)),
        maxStalledCount: 3,
        name: this.runner.workerId,
        settings: {
          backoffStrategy: (_attempts: number, type?: string, err?: Error) =>
            type === TASK_BACKOFF && err instanceof RetryLaterError ? err.delayMs : 1000,
        },
      },
    );
    this.worker.on('error', (err) => this.warnings.warn(workerErrorMessage('worker', err)));
    this.logger.log(`task worker ${this.runner.workerId} started (concurrency ${this.config.worker.concurrency})`);
  }

  /**
   * The first of the shutdown hooks: no job is taken from here on (a job handed back must go to another worker).
   * The hand-back is timed from the shutdown's start (the signal), as the process's deadline is.
   */
  onModuleDestroy(): void {
    if (!this.worker) return;
    this.closing = this.worker.close();
    this.closing.catch(() => undefined); // awaited, and its failure met, in beforeApplicationShutdown
    this.handBackTimer = setTimeout(
      () => this.cancellation.handBackAll(),
      this.shutdown.msUntil(handBackAfterMs(this.config.shutdownTimeoutMs)),
    ).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    try {
      await (this.closing ?? this.worker?.close());
    } finally {
      clearTimeout(this.handBackTimer);
    }
    await this.agentState.flush();
  }

  get isRunning(): boolean {
    return this.worker?.isRunning() ?? false;
  }
}
