import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { TRIGGERS_QUEUE, type TriggerStartJobData } from '../../jobs/queues';
import { RedisConnectionFactory } from '../../redis/redis-connection.factory';
import { TriggerStarter } from './trigger-starter';
import { RepeatedWarnings } from '../../common/repeated-warnings';
import { workerErrorMessage } from '../../jobs/worker-errors';

/** Starts made at once per process: each is a few statements and a run's first steps. */
const CONCURRENCY = 4;

/** The BullMQ worker of trigger starts in this process (APP_ROLE worker or all). */
@Injectable()
export class TriggerWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TriggerWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<TriggerStartJobData>;

  constructor(
    private readonly connections: RedisConnectionFactory,
    private readonly starter: TriggerStarter,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<TriggerStartJobData>(
      TRIGGERS_QUEUE,
      async (job: Job<TriggerStartJobData>) => this.starter.start(job.data),
      { connection: this.connections.create('queue'), prefix: this.connections.queuePrefix, concurrency: CONCURRENCY },
    );
    this.worker.on('error', (err) => this.warnings.warn(workerErrorMessage('trigger worker', err)));
    this.worker.on('failed', (job, err) => this.logger.warn(`trigger start ${job?.id} failed: ${err.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
