import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { BulkQueue } from './bulk-queue';
import { BulkOperationRepository } from './persistence/bulk-operation.repository';
import type { BulkOperationStore } from './ports';

/**
 * An operation is stored first and queued right after, and a running one saves each batch: one untouched for
 * this long without a job in Redis has lost it.
 */
export const BULK_SETTLE_MS = 5000;
const PAGE = 100;

/**
 * Postgres is the record; Redis can lose a job (a restart without persistence, an add that failed). Once every
 * QUEUE_RECONCILE_INTERVAL_MS across the workers, the operations not over whose job Redis no longer holds are
 * queued again; they resume from their cursor.
 */
@PeriodicJob({ name: 'bulk.reconcile', everyMs: (config) => config.queue.reconcileIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class BulkReconciler implements PeriodicJobHandler {
  private readonly logger = new Logger(BulkReconciler.name);

  constructor(
    @Inject(BulkOperationRepository) private readonly store: BulkOperationStore,
    private readonly queue: BulkQueue,
  ) {}

  async run(): Promise<{ queued: number }> {
    let queued = 0;
    for (const op of await this.store.stale(BULK_SETTLE_MS, PAGE)) {
      if (await this.queue.holds(op.id)) continue;
      await this.queue.add(op.id);
      queued += 1;
    }
    if (queued) this.logger.warn(`queued ${queued} bulk operation(s) again whose job Redis had lost`);
    return { queued };
  }
}
