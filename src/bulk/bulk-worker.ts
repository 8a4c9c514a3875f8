import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { BULK_QUEUE, type BulkOperationJobData } from '../jobs/queues';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { BulkRunner } from './bulk-runner';
import { RepeatedWarnings } from '../common/repeated-warnings';
import { workerErrorMessage } from '../jobs/worker-errors';

/** Operations run at once per process: each is a stream of large statements. */
const CONCURRENCY = 2;

/**
 * The BullMQ worker of bulk operations in this process (APP_ROLE worker or all): each job is one operation,
 * handed to {@link BulkRunner}. A job that fails is attempted again from the operation's cursor; the last
 * failed attempt fails the operation.
 */
@Injectable()
export class BulkWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BulkWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<BulkOperationJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnectionFactory,
    private readonly runner: BulkRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<BulkOperationJobData>(BULK_QUEUE, (job) => this.process(job), {
      connection: this.connections.create('queue'),
      prefix: this.connections.queuePrefix,
      concurrency: CONCURRENCY,
      // A worker that dies leaves its job locked: once the lock lapses another worker resumes it.
      lockDuration: this.config.queue.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(this.config.queue.lockDurationMs / 2)),
      maxStalledCount: 5,
    });
    this.worker.on('error', (err) => this.warnings.warn(workerErrorMessage('bulk worker', err)));
  }

  private async process(job: Job<BulkOperationJobData>): Promise<void> {
    try {
      await this.runner.run(job.data.operationId);
    } catch (err) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
        await this.runner.fail(job.data.operationId, (err as Error).message);
      throw err;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
