import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { SCHEDULES_QUEUE, type ScheduleFireJobData } from '../jobs/queues';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { ScheduleFiring } from './schedule-firing';
import { RepeatedWarnings } from '../common/repeated-warnings';
import { workerErrorMessage } from '../jobs/worker-errors';

/**
 * The time of the fire a job scheduler's job stands for. BullMQ names each of them `repeat:<scheduler>:<ms>` after
 * that time; its options do not say it (a repeat after the first carries the previous fire's `prevMillis`, and a
 * delay zeroed when the job was promoted), so a fire read from them was the one before, already made, and the
 * real one waited for the next sync's catch-up.
 */
export function fireMillisOf(job: Pick<Job, 'id' | 'timestamp' | 'delay'>): number {
  const named = /^repeat:.+:(\d+)$/.exec(job.id ?? '');
  return named ? Number(named[1]) : job.timestamp + (job.delay ?? 0);
}

/** Fires made at once per process; each is a few short statements. */
const CONCURRENCY = 4;

/**
 * The BullMQ worker of schedule fires in this process (APP_ROLE worker or all): each job is one fire of one
 * schedule, at the time its job scheduler gave it, handed to {@link ScheduleFiring}.
 */
@Injectable()
export class ScheduleWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<ScheduleFireJobData>;

  constructor(
    private readonly connections: RedisConnectionFactory,
    private readonly firing: ScheduleFiring,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<ScheduleFireJobData>(
      SCHEDULES_QUEUE,
      (job: Job<ScheduleFireJobData>) => this.firing.fireJob(job.data.scheduleId, fireMillisOf(job)),
      { connection: this.connections.create('queue'), prefix: this.connections.queuePrefix, concurrency: CONCURRENCY },
    );
    this.worker.on('error', (err) => this.warnings.warn(workerErrorMessage('schedule worker', err)));
    this.worker.on('failed', (job, err) => this.logger.warn(`schedule fire ${job?.id} failed: ${err.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
