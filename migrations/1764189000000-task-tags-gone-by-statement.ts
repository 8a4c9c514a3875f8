import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deleted task's `task_tags` rows go in one statement per DELETE on `tasks`, not one probe per deleted task.
 * The foreign key's ON DELETE CASCADE probed `task_tags` for every task deleted, tagged or not (two thirds are
 * not), and made the retention purge a fifth dearer. A statement trigger (`tasks_tag_rows_gone`) now deletes the
 * rows of the statement's tagged tasks, read from its transition table, by their key: every way a task is
 * deleted still takes its rows, at the cost of one statement. Rows are only ever written by `tasks_tag_rows` for
 * a task in the same statement, so no row can lack its task.
 *
 * The trigger is made before the key is dropped, in one transaction: no deletion falls between them.
 */
export class TaskTagsGoneByStatement1764189000000 implements MigrationInterface {
  name = 'TaskTagsGoneByStatement1764189000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE OR REPLACE FUNCTION "task_tag_rows_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM "task_tags"
          WHERE "task_id" = ANY(ARRAY(SELECT g."id" FROM "gone" g WHERE cardinality(g."tags") > 0));
         RETURN NULL;
       END $$`,
    );
    await q.query(`DROP TRIGGER IF EXISTS "tasks_tag_rows_gone" ON "tasks"`);
    await q.query(
      `CREATE TRIGGER "tasks_tag_rows_gone" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS "gone"
         FOR EACH STATEMENT EXECUTE FUNCTION "task_tag_rows_gone"()`,
    );
    await q.query(`ALTER TABLE "task_tags" DROP CONSTRAINT IF EXISTS "task_tags_task_fk"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "task_tags" tt WHERE NOT EXISTS (SELECT 1 FROM "tasks" t WHERE t."id" = tt."task_id")`);
    await q.query(
      `ALTER TABLE "task_tags" ADD CONSTRAINT "task_tags_task_fk"
         FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE`,
    );
    await q.query(`DROP TRIGGER IF EXISTS "tasks_tag_rows_gone" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "task_tag_rows_gone"()`);
  }
}
