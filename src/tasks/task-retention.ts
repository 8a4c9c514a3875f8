import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { Metrics } from '../metrics/metrics.service';
import { TaskRetentionQueries } from './persistence/task-retention-queries';
import type { PurgeBatches, PurgeMetrics } from './ports';

const DAY_MS = 86_400_000;
/** A pass stops starting batches once this share of the period has gone: passes never overlap. */
const PASS_SHARE = 0.8;

/** What one pass of the purge did: `ms` in all, `statementMs` of it in its batches' statements. */
export interface PurgePass {
  purged: number;
  batches: number;
  ms: number;
  statementMs: number;
}

/**
 * The pause after a batch whose statement took `statementMs`: at least `pauseMs`, and `pauseFactor` times the
 * statement's own time, so that a busier Postgres (a slower batch) gets a longer rest from the purge.
 */
export function pauseAfter(
  statementMs: number,
  { pauseMs, pauseFactor }: { pauseMs: number; pauseFactor: number },
): number {
  return Math.max(pauseMs, Math.round(statementMs * pauseFactor));
}

/** The oldest finish time a task may have and stay, `days` before `now`; none when `days` is 0 (keep all). */
export function retentionCutoff(days: number, now: number): Date | undefined {
  return days > 0 ? new Date(now - days * DAY_MS) : undefined;
}

/**
 * TASK_RETENTION_DAYS: once a period, across the workers, deletes finished tasks that finished longer ago than
 * the retention, with their attempts and checkpoint parts, in batches of TASK_RETENTION_BATCH_SIZE with a pause
 * between them (TASK_RETENTION_PAUSE_MS, longer after a slow batch: TASK_RETENTION_PAUSE_FACTOR), so the purge
 * of a large backlog never holds up the platform's own writes. Unfinished tasks and the tasks of runs still
 * running stay. Each batch is audited; the count goes to `tasks_purged_total`.
 */
@PeriodicJob({ name: 'tasks.retention', everyMs: (config) => config.taskRetention.intervalMs, roles: WORKER_ROLES })
@Injectable()
export class TaskRetention implements PeriodicJobHandler {
  private readonly logger = new Logger(TaskRetention.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'taskRetention'>,
    @Inject(TaskRetentionQueries) private readonly queries: PurgeBatches,
    @Inject(Metrics) private readonly metrics: PurgeMetrics,
  ) {}

  /** One pass: batches until none is full or the pass has used its share of the period. */
  async run(): Promise<PurgePass> {
    const settings = this.config.taskRetention;
    const { days, batchSize, intervalMs } = settings;
    const started = Date.now();
    const cutoff = retentionCutoff(days, started);
    const pass: PurgePass = { purged: 0, batches: 0, ms: 0, statementMs: 0 };
    if (!cutoff) return pass;
    for (;;) {
      const batchStarted = Date.now();
      const batch = await this.queries.purgeBatch(cutoff, batchSize);
      const statementMs = Date.now() - batchStarted;
      pass.batches += 1;
      pass.purged += batch.count;
      pass.statementMs += statementMs;
      this.metrics.tasksPurged(batch.count);
      if (batch.count < batchSize || Date.now() - started >= intervalMs * PASS_SHARE) break;
      const pause = pauseAfter(statementMs, settings);
      if (pause > 0) await sleep(pause);
    }
    pass.ms = Date.now() - started;
    if (pass.purged) {
      const rate = Math.round((pass.purged * 1000) / Math.max(1, pass.ms));
      this.logger.log(
        `purged ${pass.purged} task(s) finished before ${cutoff.toISOString()} in ${pass.batches} batch(es), ` +
          `${pass.ms} ms, ${pass.statementMs} ms of it in statements (${rate}/s)`,
      );
    }
    return pass;
  }
}
