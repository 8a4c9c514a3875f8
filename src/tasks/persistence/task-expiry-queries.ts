import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { rowMapper, type RowMapper } from '../../database/row-mapper';
import { TaskEntity } from '../entities/task.entity';
import type { Task, TaskError } from '../task';

export const EXPIRED_ERROR: TaskError = {
  code: 'EXPIRED',
  message: 'The task was not started before its expiry time',
};

/**
 * Ends queued tasks past their `expire_at` as `expired`: `$1` the error, `$2` the most to expire, `$3` (may be
 * null) the one task to look at. Guarded on the status: a task a worker started meanwhile is left alone, as the
 * start statement leaves alone a queued task past its expiry. Rows another transaction holds are skipped; the
 * next pass sees them again.
 */
function expireStatement(columns: string): string {
  return `WITH expired AS (
         UPDATE tasks t
             SET status = 'expired', error = $1::jsonb, finished_at = now(), next_attempt_at = NULL,
                 updated_at = now()
           WHERE t.id IN (
                   SELECT o.id FROM tasks o
                    WHERE o.status = 'queued' AND o.expire_at IS NOT NULL AND o.expire_at <= now()
                      AND ($3::uuid IS NULL OR o.id = $3::uuid)
                    ORDER BY o.expire_at
                    LIMIT $2
                      FOR UPDATE SKIP LOCKED)
             AND t.status = 'queued'
       RETURNING ${columns}
       )
       SELECT * FROM expired`;
}

/**
 * The expiry of tasks: the guarded move queued → expired, each with its audit entry (the platform's, a system
 * actor) in the same transaction. Kept apart from the repository's user-driven transitions.
 */
@Injectable()
export class TaskExpiryQueries {
  private readonly rows: RowMapper<TaskEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    this.rows = rowMapper(dataSource, TaskEntity, 't');
  }

  /** Expires this task if it is queued and past its expiry time; undefined otherwise. */
  async expireOne(taskId: string): Promise<Task | undefined> {
    const [expired] = await this.expire(1, taskId);
    return expired;
  }

  /** Expires up to `limit` of the queued tasks past their expiry time, the most overdue first. */
  expireOverdue(limit: number): Promise<Task[]> {
    return this.expire(limit, null);
  }

  private expire(limit: number, taskId: string | null): Promise<Task[]> {
    return this.dataSource.transaction(async (em) => {
      const rows = (await em.query(expireStatement(this.rows.columns), [
        JSON.stringify(EXPIRED_ERROR),
        limit,
        taskId,
      ])) as Record<string, unknown>[];
      const expired = rows.map((row) => this.rows.map(row));
      for (const task of expired) {
        await this.audit.record(
          {
            action: 'task.expire',
            outcome: 'success',
            resourceType: 'task',
            resourceId: task.id,
            actorType: 'system',
            actorId: null,
            details: { agentId: task.agentId, expireAt: task.expireAt?.toISOString() ?? null },
          },
          em,
        );
      }
      return expired;
    });
  }
}
