import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WORKER_ROLES } from '../jobs/periodic-job';
import { type StepWaitJobData, WORKFLOW_WAITS_QUEUE } from '../jobs/queues';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { StepDecisions } from './step-decisions';
import { MAX_JOB_DELAY_MS } from './step-wait-queue';
import { RepeatedWarnings } from '../common/repeated-warnings';
import { workerErrorMessage } from '../jobs/worker-errors';

/** Wait jobs handled at once per process: each is a short transaction. */
const CONCURRENCY = 8;

/**
 * The BullMQ worker of wait jobs in processes whose role runs workers: a job falls due, the step resolves
 * (a wait succeeds, an approval times out) and the run advances. No process holds a waiting run: between
 * its start and its job, a wait is a row in Postgres and a delayed job in Redis.
 */
@Injectable()
export class StepWaitWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StepWaitWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<StepWaitJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnectionFactory,
    private readonly decisions: StepDecisions,
  ) {}

  onApplicationBootstrap(): void {
    if (!WORKER_ROLES.includes(this.config.role)) return;
    this.worker = new Worker<StepWaitJobData>(
      WORKFLOW_WAITS_QUEUE,
      async (job: Job<StepWaitJobData>, token?: string) => {
        const later = await this.decisions.fireDue(job.data.runId, job.data.stepId);
        if (!later) return;
        // Early: a wait longer than a job's delay, or a clock ahead of this one.
        await job.moveToDelayed(Math.min(later.getTime(), Date.now() + MAX_JOB_DELAY_MS), token);
        throw new DelayedError();
      },
      { connection: this.connections.create('queue'), prefix: this.connections.queuePrefix, concurrency: CONCURRENCY },
    );
    this.worker.on('error', (err) => this.warnings.warn(workerErrorMessage('wait worker', err)));
    this.worker.on('failed', (job, err) => this.logger.warn(`wait job ${job?.id} failed: ${err.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
