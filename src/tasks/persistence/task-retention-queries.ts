import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { FINAL_STATUSES } from '../task';

/** What one batch of the purge deleted. */
export interface PurgedBatch {
  count: number;
}

/**
 * Deletes up to `$3` finished tasks (`$2` the final statuses) that finished before `$1`, the oldest first. Their
 * attempts and checkpoint parts go with them (ON DELETE CASCADE), their tag rows by a statement trigger. A task that is a step of a run still running
 * stays: the run may read its step's task again (a retry of the step, its conclusion); it goes in a pass after
 * the run has ended. Rows another transaction holds (a retry of the task under way) are skipped, and a task
 * retried meanwhile is no longer finished when the row is locked, so it stays.
 */
const PURGE_SQL = `
  WITH doomed AS (
    SELECT t.id FROM tasks t
     WHERE t.finished_at IS NOT NULL AND t.finished_at < $1 AND t.status = ANY($2::varchar[])
       AND (t.run_id IS NULL OR NOT EXISTS (
         SELECT 1 FROM workflow_runs r WHERE r.id = t.run_id AND r.status = 'running'
       ))
     ORDER BY t.finished_at
     LIMIT $3
     FOR UPDATE OF t SKIP LOCKED
  ), gone AS (
    DELETE FROM tasks t USING doomed d WHERE t.id = d.id RETURNING 1
  )
  SELECT count(*)::int AS count FROM gone`;

/**
 * The retention purge's statements on `tasks`: a batch of old finished tasks deleted in one short transaction,
 * with one audit entry for the batch (a system actor).
 */
@Injectable()
export class TaskRetentionQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Deletes up to `limit` finished tasks that finished before `before`, the oldest first. */
  purgeBatch(before: Date, limit: number): Promise<PurgedBatch> {
    return this.dataSource.transaction(async (em) => {
      const [batch] = (await em.query(PURGE_SQL, [before, FINAL_STATUSES, limit])) as PurgedBatch[];
      if (batch.count > 0) {
        await this.audit.record(
          {
            action: 'task.purge',
            outcome: 'success',
            resourceType: 'task',
            resourceId: null,
            actorType: 'system',
            actorId: null,
            details: { count: batch.count, finishedBefore: before.toISOString() },
          },
          em,
        );
      }
      return batch;
    });
  }
}
