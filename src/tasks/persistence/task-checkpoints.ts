import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { CheckpointPart } from '../../agents/agent-type';
import { storableJson } from '../storable';

/**
 * The statements on `task_checkpoint_parts`: an executor's checkpoint saved a part at a time, each part one
 * INSERT, so a checkpoint costs what was added since the last one, not everything so far. Parts belong to the
 * task's current run: the outcome that ends the task drops them (see the task state writer), and so do a
 * cancellation and a manual retry.
 */
@Injectable()
export class TaskCheckpoints {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Saves part `seq` while the task is still running this attempt; a seq already saved keeps its first part.
   * The task row is locked (shared) for the check, so a part never lands after the task's outcome.
   * Throws NotStorableError for a part with no JSON form.
   */
  async append(taskId: string, attempt: number, seq: number, part: unknown): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO task_checkpoint_parts (task_id, seq, part)
       SELECT t.id, $3, $4::jsonb FROM tasks t
        WHERE t.id = $1 AND t.attempts = $2 AND t.status = 'running'
          FOR SHARE
       ON CONFLICT (task_id, seq) DO NOTHING`,
      [taskId, attempt, seq, storableJson(part) ?? 'null'],
    );
  }

  /** Every part saved for the task, in order of seq. */
  async parts(taskId: string): Promise<CheckpointPart[]> {
    const rows = (await this.dataSource.query(
      `SELECT seq, part FROM task_checkpoint_parts WHERE task_id = $1 ORDER BY seq`,
      [taskId],
    )) as CheckpointPart[];
    return rows;
  }

  /** Drops the tasks' parts (their run starts over, or it ended), in the caller's transaction. */
  async clear(em: EntityManager, taskIds: string | string[]): Promise<void> {
    const ids = typeof taskIds === 'string' ? [taskIds] : taskIds;
    if (ids.length) await em.query(`DELETE FROM task_checkpoint_parts WHERE task_id = ANY($1::uuid[])`, [ids]);
  }
}
