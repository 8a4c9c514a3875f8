import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { AuditEvent } from '../audit/audit.service';
import { Metrics } from '../metrics/metrics.service';
import { BulkTargets } from './bulk-targets';
import { type BulkOperation, BulkOperationRepository } from './persistence/bulk-operation.repository';
import type { BulkMetrics, BulkOperationStore, BulkTargetSource } from './ports';

/** The entry that ends an operation, from the system: one for the whole operation, with its counts. */
function finishEvent(op: BulkOperation): AuditEvent {
  return {
    action: 'bulk_operation.finish',
    outcome: op.status === 'succeeded' ? 'success' : 'failure',
    resourceType: 'bulkOperation',
    resourceId: op.id,
    actorType: 'system',
    actorId: null,
    details: {
      kind: op.kind,
      action: op.action,
      status: op.status,
      matched: op.matched,
      done: op.done,
      failed: op.failed,
      createdBy: op.createdBy,
      ...(op.error ? { error: op.error } : {}),
    },
  };
}

/**
 * Runs one bulk operation from its cursor to the end, a batch at a time: each batch changes its items and
 * moves the cursor and the counts in one transaction, under the operation's row lock, so a worker that dies
 * leaves the operation at its last committed batch and the next one to take the job resumes there; no item
 * is changed twice, and two workers never run the same batch.
 */
@Injectable()
export class BulkRunner {
  private readonly logger = new Logger(BulkRunner.name);
  private readonly batchSize: number;

  constructor(
    @Inject(BulkOperationRepository) private readonly store: BulkOperationStore,
    @Inject(BulkTargets) private readonly targets: BulkTargetSource,
    @Inject(Metrics) private readonly metrics: BulkMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.batchSize = config.bulk.batchSize;
  }

  /** Runs the operation to its end; nothing when it is already over. */
  async run(operationId: string): Promise<void> {
    const started = await this.store.start(operationId);
    if (!started) return;
    const target = this.targets.of(started.kind);
    // What follows a batch's commit (queueing, signals) overlaps the next batch's statements, one at a time.
    let following: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const step = await this.store.advance(operationId, async (em, op) => {
          const batch = await target.applyBatch(em, op.action, op.filter, op.snapshotAt, op.cursor, this.batchSize);
          return { ...batch, cursor: batch.lastId };
        });
        if (!step) return;
        const { op, batch } = step;
        await following;
        following = batch.afterCommit();
        this.metrics.bulkItems(op.kind, op.action, batch.done, batch.failed);
        if (batch.lastId === undefined) break;
      }
    } finally {
      await following;
    }
    await this.end(operationId, 'succeeded', null);
  }

  /** Fails an operation whose job gave up, with its entry. */
  async fail(operationId: string, error: string): Promise<void> {
    this.logger.warn(`bulk operation ${operationId} failed: ${error}`);
    await this.end(operationId, 'failed', error);
  }

  private async end(operationId: string, status: 'succeeded' | 'failed', error: string | null): Promise<void> {
    const op = await this.store.finish(operationId, status, error, finishEvent);
    if (op) this.metrics.bulkOperationFinished(op.kind, op.action, status);
  }
}
