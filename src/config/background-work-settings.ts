import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { toInt } from './env-parsers';
import { StorageSettings } from './storage-settings';

/**
 * The settings of the work the workers do in the background: task queue and its workers, bulk operations,
 * schedules, webhook deliveries and workflow trigger starts. Part of {@link EnvSchema}, which extends it.
 */
export class BackgroundWorkSettings extends StorageSettings {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 10;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  QUEUE_KEEP_COMPLETED = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  QUEUE_KEEP_FAILED = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  QUEUE_LOCK_DURATION_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  QUEUE_RECONCILE_INTERVAL_MS = 30_000;

  /** Items a bulk operation changes per batch (one transaction each, which also saves its progress). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(10_000)
  BULK_BATCH_SIZE = 1000;

  /** How often the workers check that every schedule has its job scheduler, and make fires that were missed. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  SCHEDULE_SYNC_INTERVAL_MS = 5000;

  /** Attempts of one webhook delivery (5xx, 408, 429, timeouts and network errors are retried). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(30)
  WEBHOOK_MAX_ATTEMPTS = 8;

  /** The first retry's delay; each next one doubles it. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  WEBHOOK_BACKOFF_MS = 5000;

  /** How long a receiver has to answer one attempt. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** Deliveries failing in a row (each after all its attempts) that disable an endpoint. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  WEBHOOK_DISABLE_AFTER_FAILURES = 20;

  /** How long an endpoint may fail without a success before it is disabled. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  WEBHOOK_DISABLE_AFTER_MS = 86_400_000;

  /** How often the workers re-queue pending deliveries whose job Redis lost. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  WEBHOOK_RECONCILE_INTERVAL_MS = 5000;

  /** How often the workers queue again the workflow trigger starts that were lost (a process stopped, Redis lost a job). */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(3_600_000)
  TRIGGER_RECONCILE_INTERVAL_MS = 30_000;

  /** How far back the trigger reconciler looks for finished tasks and runs whose trigger start was lost. */
  @Transform(toInt)
  @IsInt()
  @Min(60_000)
  @Max(604_800_000)
  TRIGGER_RECONCILE_WINDOW_MS = 900_000;
}
