import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { AttemptStatus } from '../entities/task-attempt.entity';
import { TaskEntity } from '../entities/task.entity';
import { FINAL_STATUSES, type TaskError, type TaskStatus } from '../task';

/** An attempt row still open (`running`) although its task has ended, and the worker that opened it. */
export interface OpenAttempt {
  taskId: string;
  attempt: number;
  workerId: string;
  taskStatus: TaskStatus;
}

/** How to close an open attempt: only while it is still open and still the worker's it was read with. */
export interface AttemptClosing {
  attempt: OpenAttempt;
  status: AttemptStatus;
  error: TaskError;
}

/**
 * What the reconciler asks Postgres: the tasks that should be queued or running, who runs them, and the
 * attempts that tasks which ended left open.
 */
@Injectable()
export class TaskRecoveryQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Tasks Postgres says should be in the queue. */
  async queuedIds(limit: number, afterId?: string, writtenAtLeastMsAgo = 0): Promise<TaskEntity[]> {
    return this.inStatus(['queued', 'retrying'], limit, afterId, writtenAtLeastMsAgo);
  }

  /** Tasks Postgres says a worker is running. */
  async runningIds(limit: number, afterId?: string): Promise<TaskEntity[]> {
    return this.inStatus(['running'], limit, afterId);
  }

  private inStatus(
    statuses: TaskEntity['status'][],
    limit: number,
    afterId = '00000000-0000-0000-0000-000000000000',
    writtenAtLeastMsAgo = 0,
  ): Promise<TaskEntity[]> {
    const query = this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .where({ status: In(statuses) })
      .andWhere('t.id > :afterId', { afterId });
    if (writtenAtLeastMsAgo > 0) {
      query.andWhere('t.updated_at <= now() - make_interval(secs => :seconds)', {
        seconds: writtenAtLeastMsAgo / 1000,
      });
    }
    return query.orderBy('t.id', 'ASC').take(limit).getMany();
  }

  /** Those of `ids` whose task exists and has not ended (queued, running or waiting for its retry). */
  async unfinishedAmong(ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where({ id: In(ids) })
      .andWhere('t.status NOT IN (:...final)', { final: FINAL_STATUSES })
      .getRawMany<{ id: string }>();
    return new Set(rows.map((r) => r.id));
  }

  /** The worker that started each task's current attempt, by task id (absent where no attempt row is open). */
  async attemptWorkers(tasks: Pick<TaskEntity, 'id' | 'attempts'>[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(
      `SELECT a.task_id, a.worker_id
         FROM task_attempts a
         JOIN unnest($1::uuid[], $2::int[]) AS i(id, attempt) ON a.task_id = i.id AND a.attempt = i.attempt`,
      [tasks.map((t) => t.id), tasks.map((t) => t.attempts)],
    )) as { task_id: string; worker_id: string }[];
    return new Map(rows.map((r) => [r.task_id, r.worker_id]));
  }

  /**
   * Open attempts of tasks in a final status, by task and attempt, after `after`. Read through the partial
   * index of open attempts (`task_attempts_open_idx`): as many rows as attempts are open, however many
   * attempts the table keeps.
   */
  async openAttemptsOfEnded(limit: number, after?: Pick<OpenAttempt, 'taskId' | 'attempt'>): Promise<OpenAttempt[]> {
    return (await this.dataSource.query(
      `SELECT a.task_id AS "taskId", a.attempt, a.worker_id AS "workerId", t.status AS "taskStatus"
         FROM task_attempts a
         JOIN tasks t ON t.id = a.task_id
        WHERE a.status = 'running' AND (a.task_id, a.attempt) > ($1::uuid, $2::int) AND t.status = ANY($3::varchar[])
        ORDER BY a.task_id, a.attempt
        LIMIT $4`,
      [after?.taskId ?? '00000000-0000-0000-0000-000000000000', after?.attempt ?? 0, FINAL_STATUSES, limit],
    )) as OpenAttempt[];
  }

  /**
   * Closes attempts, each only while it is still open on the worker it was read with, as finished at `at`;
   * returns how many it closed.
   */
  async closeAttempts(closings: AttemptClosing[], at: Date): Promise<number> {
    if (!closings.length) return 0;
    const [{ closed }] = (await this.dataSource.query(
      `WITH closed AS (
         UPDATE task_attempts a
            SET status = i.status, error = i.error, finished_at = $6
           FROM unnest($1::uuid[], $2::int[], $3::varchar[], $4::varchar[], $5::jsonb[])
                  AS i(task_id, attempt, worker_id, status, error)
          WHERE a.task_id = i.task_id AND a.attempt = i.attempt AND a.worker_id = i.worker_id AND a.status = 'running'
         RETURNING 1
       )
       SELECT count(*)::int AS closed FROM closed`,
      [
        closings.map((c) => c.attempt.taskId),
        closings.map((c) => c.attempt.attempt),
        closings.map((c) => c.attempt.workerId),
        closings.map((c) => c.status),
        closings.map((c) => JSON.stringify(c.error)),
        at,
      ],
    )) as { closed: number }[];
    return closed;
  }
}
