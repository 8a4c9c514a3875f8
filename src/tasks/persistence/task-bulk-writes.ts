import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowMapper, type RowMapper } from '../../database/row-mapper';
import { TaskEntity } from '../entities/task.entity';
import { CANCELLABLE_STATUSES, CANCELLED_BY_REQUEST, RETRYABLE_STATUSES, type Task } from '../task';
import { TaskCheckpoints } from './task-checkpoints';
import { type TaskFilter, taskFilterClause } from './task-filter';

/**
 * The statements of bulk retry and cancel on `tasks`: matches counted and read a page at a time in id order,
 * and the same guarded transitions as one task's retry and cancel (TaskRepository) applied to a whole page in
 * one UPDATE: a task whose status no longer allows the change is left as it is.
 */
@Injectable()
export class TaskBulkWrites {
  private readonly rows: RowMapper<TaskEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly checkpoints: TaskCheckpoints,
  ) {
    this.rows = rowMapper(dataSource, TaskEntity, 't');
  }

  async count(filter: TaskFilter): Promise<number> {
    const { where, params } = taskFilterClause(filter);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ n }] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM tasks t ${clause}`, params)) as {
      n: number;
    }[];
    return n;
  }

  /**
   * Up to `limit` matching tasks (id and agent) after `after`, in id order; in the caller's transaction. The scan walks
   * the primary key from `after` and stops at `limit` matches, so the batches of one operation read the table
   * once in all: the planner is told not to sort (nor to start parallel workers for a thousand rows), which it
   * would otherwise do, reading every match of the filter's own index again for each batch.
   */
  async pageAfter(
    em: EntityManager,
    filter: TaskFilter,
    after: string | null,
    limit: number,
  ): Promise<{ id: string; agentId: string }[]> {
    const { where, params } = taskFilterClause(filter, after ? [after] : []);
    if (after) where.unshift('t.id > $1');
    params.push(limit);
    await em.query('SET LOCAL enable_sort = off');
    await em.query('SET LOCAL max_parallel_workers_per_gather = 0');
    return (await em.query(
      `SELECT t.id, t.agent_id AS "agentId" FROM tasks t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY t.id LIMIT $${params.length}`,
      params,
    )) as { id: string; agentId: string }[];
  }

  /**
   * Puts these tasks back to queued as a new run, as TaskRepository.retry does one task: only failed and
   * cancelled ones, and no workflow run's step task (its run's retry runs it again, as one task's retry says);
   * their checkpoints go. Returns the tasks it changed.
   */
  async retryMany(em: EntityManager, ids: string[]): Promise<Task[]> {
    if (!ids.length) return [];
    // An UPDATE's result through TypeORM is [rows, count].
    const [rows] = (await em.query(
      `UPDATE tasks t SET status = 'queued', attempt_offset = t.attempts, error = NULL, output = NULL, progress = 0,
              progress_message = NULL, checkpoint = NULL, started_at = NULL, finished_at = NULL, next_attempt_at = NULL,
              run_at = NULL,
              expire_at = NULL, updated_at = now()
        WHERE t.id = ANY($1::uuid[]) AND t.status = ANY($2::varchar[]) AND t.run_id IS NULL
        RETURNING ${this.rows.columns}`,
      [ids, RETRYABLE_STATUSES],
    )) as [Record<string, unknown>[], number];
    const tasks = rows.map((row) => this.rows.map(row));
    await this.checkpoints.clear(
      em,
      tasks.map((t) => t.id),
    );
    return tasks;
  }

  /**
   * Ends these tasks as cancelled, as TaskRepository.cancel does one task: only those not final yet; their
   * checkpoints go. Returns the tasks it changed, and which of them were running.
   */
  async cancelMany(em: EntityManager, ids: string[]): Promise<{ task: Task; wasRunning: boolean }[]> {
    if (!ids.length) return [];
    const [rows] = (await em.query(
      `UPDATE tasks t SET status = 'cancelled', finished_at = now(), next_attempt_at = NULL, error = $3::jsonb,
              updated_at = now()
         FROM (SELECT id, status FROM tasks WHERE id = ANY($1::uuid[]) AND status = ANY($2::varchar[]) FOR UPDATE) o
        WHERE t.id = o.id
        RETURNING ${this.rows.columns}, o.status AS "was"`,
      [ids, CANCELLABLE_STATUSES, JSON.stringify(CANCELLED_BY_REQUEST)],
    )) as [Record<string, unknown>[], number];
    const cancelled = rows.map((row) => ({ task: this.rows.map(row), wasRunning: row.was === 'running' }));
    await this.checkpoints.clear(
      em,
      cancelled.map((c) => c.task.id),
    );
    return cancelled;
  }
}
