import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type Job, Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { JobRegistry, type RegisteredJob } from './job-registry';
import { PeriodicJob, type PeriodicJobDeclaration, type PeriodicJobHandler } from './periodic-job';
import { ProcessTimer } from './process-timer';
import type { MaintenanceJobData } from './queues';
import { RepeatedWarnings } from '../common/repeated-warnings';
import { workerErrorMessage } from './worker-errors';

/** How often a process checks that the schedulers of its jobs are still in Redis (one HGETALL per job). */
export const SCHEDULER_CHECK_MS = 5000;
/** A job whose next run is further away than this at boot gets one run now: the first pass stays prompt. */
const PROMPT_MS = 5000;

/** A maintenance queue this process works: its queue, its worker and its jobs. */
interface Lane {
  queue: Queue<MaintenanceJobData>;
  worker: Worker<MaintenanceJobData>;
  jobs: RegisteredJob[];
}

/**
 * Runs the {@link PeriodicJob}s. At boot it finds them, and in a process whose role runs some of them it keeps
 * one BullMQ job scheduler per job in the maintenance queue of the job's roles (`upsertJobScheduler`:
 * idempotent, an existing schedule keeps its next run) and one Worker on that queue that dispatches by job name.
 * The scheduler lives in Redis, so each job runs once per period across all processes, and its schedule
 * survives restarts of the processes.
 *
 * A Redis restarted empty, or whose keys were removed, loses the schedulers, and with them the reconciler,
 * which is exactly what must run then. Two things put them back: the queue connection's `ready` event (every
 * reconnection, such as to a restarted Redis) upserts them all, and a {@link SCHEDULER_CHECK_MS} process timer
 * upserts any that is missing (keys gone while the connection stayed up).
 */
@Injectable()
export class PeriodicJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PeriodicJobs.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  /** A job failing at every pass (its database away) is an error once a minute, with the count meanwhile. */
  private readonly failures = new RepeatedWarnings({ warn: (message) => this.logger.error(message) }, 60_000);
  private registry?: JobRegistry;
  private lanes: Lane[] = [];
  private check?: ProcessTimer;
  private connection?: Redis;
  private checking = false;
  private readonly onReady = () => void this.upsertAll(false).catch((err: Error) => this.warnUpsert(err));

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnectionFactory,
    private readonly discovery: DiscoveryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.registry = new JobRegistry(this.discover(), this.config);
    const jobs = this.registry.forRole(this.config.role);
    if (!jobs.length) return;
    this.connection = this.connections.create('queue');
    const queues = [...new Set(jobs.map((job) => job.queue))];
    this.lanes = queues.map((name) =>
      this.lane(
        name,
        jobs.filter((job) => job.queue === name),
      ),
    );
    // Not awaited: with Redis down, boot goes on and the schedulers follow once it answers.
    void this.upsertAll(true).catch((err: Error) => this.warnUpsert(err));
    this.connection.on('ready', this.onReady);
    this.check = new ProcessTimer(
      'periodic job schedulers',
      SCHEDULER_CHECK_MS,
      () => this.upsertMissing(),
      this.logger,
    );
    this.check.start();
    this.logger.log(`periodic jobs here: ${jobs.map((j) => `${j.name} (${j.everyMs} ms)`).join(', ')}`);
  }

  /** Before the pools close: no new pass starts, and the ones running end. */
  async beforeApplicationShutdown(): Promise<void> {
    this.check?.stop();
    this.connection?.off('ready', this.onReady);
    await Promise.all(this.lanes.map((lane) => lane.worker.close()));
    await Promise.all(this.lanes.map((lane) => lane.queue.close()));
  }

  private lane(name: string, jobs: RegisteredJob[]): Lane {
    const queue = new Queue<MaintenanceJobData>(name, {
      connection: this.connection!,
      prefix: this.connections.queuePrefix,
    });
    // The connection's own listener (RedisConnectionFactory) logs its errors; an unheard one BullMQ would print.
    queue.on('error', () => undefined);
    const worker = new Worker<MaintenanceJobData>(name, (job) => this.dispatch(job), {
      connection: this.connections.create('queue'),
      prefix: this.connections.queuePrefix,
      // Jobs of different names never wait behind each other in one process.
      concurrency: jobs.length,
    });
    worker.on('error', (err) => this.warnings.warn(workerErrorMessage(`${name} worker`, err)));
    worker.on('failed', (job, err) => this.failures.warn(`periodic job ${job?.name} failed: ${err.message}`));
    return { queue, worker, jobs };
  }

  private discover(): { declaration: PeriodicJobDeclaration; handler: PeriodicJobHandler }[] {
    const seen = new Set<unknown>();
    return this.discovery
      .getProviders({ metadataKey: PeriodicJob.KEY })
      .filter((wrapper) => wrapper.instance && !seen.has(wrapper.instance) && seen.add(wrapper.instance))
      .map((wrapper) => ({
        declaration: this.discovery.getMetadataByDecorator(PeriodicJob, wrapper)!,
        handler: wrapper.instance as PeriodicJobHandler,
      }));
  }

  /** A job no declaration names any more (a scheduler left by an older version) fails, and says so. */
  private dispatch(job: Job<MaintenanceJobData>): Promise<unknown> {
    const registered = this.registry?.get(job.name);
    if (!registered) return Promise.reject(new Error(`no periodic job is named ${job.name} in this version`));
    return registered.handler.run();
  }

  private async upsertAll(atBoot: boolean): Promise<void> {
    for (const lane of this.lanes) for (const job of lane.jobs) await this.upsert(lane.queue, job, atBoot);
  }

  private async upsertMissing(): Promise<void> {
    // With Redis away a check waits for it: the next ones do not pile up behind.
    if (this.checking) return;
    this.checking = true;
    try {
      for (const lane of this.lanes) {
        for (const job of lane.jobs) {
          if (await lane.queue.getJobScheduler(job.name)) continue;
          this.logger.warn(`job scheduler ${job.name} was gone from Redis; put back`);
          await this.upsert(lane.queue, job, false);
        }
      }
    } finally {
      this.checking = false;
    }
  }

  /**
   * A new scheduler runs its job at once; an existing one keeps its next run, and at boot a job whose next run
   * is far off runs once now besides (a job id of its own, so processes booting together add it once).
   */
  private async upsert(queue: Queue<MaintenanceJobData>, job: RegisteredJob, atBoot: boolean): Promise<void> {
    const next = await queue.upsertJobScheduler(
      job.name,
      { every: job.everyMs },
      { name: job.name, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
    if (atBoot && (next?.delay ?? Infinity) > PROMPT_MS) {
      await queue.add(job.name, {}, { jobId: `boot-${job.name}`, removeOnComplete: true, removeOnFail: true });
    }
  }

  private warnUpsert(err: Error): void {
    this.logger.warn(`periodic job schedulers not (yet) in Redis: ${err.message}`);
  }
}
