import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

/**
 * Tags on tasks (and on the schedules that make them), and the indexes that keep the task list fast when it is
 * filtered by a tag (`tags @> {x}`) or by metadata (`metadata @> {"k": "v"}`): GIN indexes built CONCURRENTLY,
 * so a large table keeps taking writes meanwhile (no transaction; an interrupted build is dropped and redone).
 */
export class TaskTags1764020000000 implements MigrationInterface {
  name = 'TaskTags1764020000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" ADD COLUMN IF NOT EXISTS "tags" varchar(64)[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "schedules" ADD COLUMN IF NOT EXISTS "tags" varchar(64)[] NOT NULL DEFAULT '{}'`);
    await createIndexConcurrently(q, 'tasks_tags_idx', 'tasks', `USING gin ("tags")`);
    await createIndexConcurrently(q, 'tasks_metadata_idx', 'tasks', `USING gin ("metadata" jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "tasks_metadata_idx"`);
    await q.query(`DROP INDEX IF EXISTS "tasks_tags_idx"`);
    await q.query(`ALTER TABLE "schedules" DROP COLUMN "tags"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "tags"`);
  }
}
