import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { TaskEntity } from '../entities/task.entity';

/** What the reconciler asks Postgres: the tasks that should be queued or running, and who runs them. */
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
}
