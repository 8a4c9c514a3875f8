import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { AgentStateStore } from '../agents/agent-state.store';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { TaskCancellation } from './task-cancellation';
import { type TaskJobData, TASKS_QUEUE } from '../jobs/queues';
import { TASK_BACKOFF } from './task-queue';
import { RetryLaterError, TaskRunner } from './task-runner';
import { RepeatedWarnings } from '../common/repeated-warnings';

/**
 * The BullMQ worker of this process (APP_ROLE worker or all). Thin: each job is handed to the
 * {@link TaskRunner}. On shutdown it stops taking jobs and waits for the ones it holds; a job it cannot
 * finish is taken over by another worker once its lock lapses.
 */
@Injectable()
export class TaskWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TaskWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<TaskJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnectionFactory,
    private readonly runner: TaskRunner,
    private readonly cancellation: TaskCancellation,
    private readonly agentState: AgentStateStore,
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
    this.worker.on('error', (err) => this.warnings.warn(`worker: ${err.message}`));
    this.logger.log(`task worker ${this.runner.workerId} started (concurrency ${this.config.worker.concurrency})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.agentState.flush();
  }

  get isRunning(): boolean {
    return this.worker?.isRunning() ?? false;
  }
}
