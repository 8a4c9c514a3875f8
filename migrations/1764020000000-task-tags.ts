import type { MigrationInterface, QueryRunner } from 'typeorm';

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
    for (const [name, definition] of [
      ['tasks_tags_idx', `USING gin ("tags")`],
      ['tasks_metadata_idx', `USING gin ("metadata" jsonb_path_ops)`],
    ]) {
      const [invalid] = (await q.query(
        `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`,
        [name],
      )) as unknown[];
      if (invalid) await q.query(`DROP INDEX CONCURRENTLY "${name}"`);
      await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "tasks" ${definition}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "tasks_metadata_idx"`);
    await q.query(`DROP INDEX IF EXISTS "tasks_tags_idx"`);
    await q.query(`ALTER TABLE "schedules" DROP COLUMN "tags"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "tags"`);
  }
}
