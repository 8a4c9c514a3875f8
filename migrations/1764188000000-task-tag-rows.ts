import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tasks read per statement of the backfill: each statement is short, and the table keeps taking writes. */
const BACKFILL_BATCH = 20_000;

/**
 * A task's tags as rows of their own, `task_tags (task_id, tag, agent_id, created_at)`, with a btree index on
 * `(tag, agent_id, created_at, task_id)`: a list filtered by a tag and an agent (and a time range) reads its
 * matches' entries only, where the GIN index on `tasks.tags` combined with the agent's index read every entry of
 * the tag and of the agent's range (43,000 for 400 matches on a million tasks). The GIN index stays for a tag
 * without an agent: it gives a tag's tasks in the table's order, cheaper than one read by id each.
 *
 * The rows are written by a trigger on `tasks` (`tasks_tag_rows`), so every way a task is stored (one, a batch,
 * a workflow's steps, an import by SQL) writes them in the same statement. It fires for tagged tasks only (its
 * WHEN is checked without calling it), so an untagged task costs nothing more. A task's tags, agent and creation
 * time never change, and its rows go with it (ON DELETE CASCADE).
 *
 * No transaction: the table and its trigger are made in one short transaction, then the tasks already stored
 * are copied a batch at a time (each row locked FOR KEY SHARE, so a task deleted meanwhile is skipped), so the
 * table keeps taking writes: about 20 s per million tasks, a third of them tagged, on two cores. Each step can
 * run again after an interruption.
 */
export class TaskTagRows1764188000000 implements MigrationInterface {
  name = 'TaskTagRows1764188000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.startTransaction();
    try {
      await q.query(
        `CREATE TABLE IF NOT EXISTS "task_tags" (
           "task_id" uuid NOT NULL,
           "tag" varchar(64) NOT NULL,
           "agent_id" uuid NOT NULL,
           "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
           CONSTRAINT "task_tags_pk" PRIMARY KEY ("task_id", "tag"),
           CONSTRAINT "task_tags_task_fk" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE
         )`,
      );
      await q.query(
        `CREATE INDEX IF NOT EXISTS "task_tags_tag_agent_created_idx"
           ON "task_tags" ("tag", "agent_id", "created_at", "task_id")`,
      );
      await q.query(
        `CREATE OR REPLACE FUNCTION "task_tag_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           INSERT INTO "task_tags" ("task_id", "tag", "agent_id", "created_at")
           SELECT NEW."id", u.tag, NEW."agent_id", NEW."created_at" FROM unnest(NEW."tags") AS u(tag)
           ON CONFLICT DO NOTHING;
           RETURN NULL;
         END $$`,
      );
      await q.query(`DROP TRIGGER IF EXISTS "tasks_tag_rows" ON "tasks"`);
      await q.query(
        `CREATE TRIGGER "tasks_tag_rows" AFTER INSERT ON "tasks"
           FOR EACH ROW WHEN (cardinality(NEW."tags") > 0) EXECUTE FUNCTION "task_tag_rows"()`,
      );
      await q.commitTransaction();
    } catch (err) {
      await q.rollbackTransaction();
      throw err;
    }
    let after: string | null = '00000000-0000-0000-0000-000000000000';
    while (after) {
      const [{ last }] = (await q.query(
        `WITH b AS (
           SELECT "id", "agent_id", "created_at", "tags" FROM "tasks" WHERE "id" > $1 ORDER BY "id" LIMIT $2
              FOR KEY SHARE
         ), ins AS (
           INSERT INTO "task_tags" ("task_id", "tag", "agent_id", "created_at")
           SELECT b."id", u.tag, b."agent_id", b."created_at" FROM b CROSS JOIN LATERAL unnest(b."tags") AS u(tag)
           ON CONFLICT DO NOTHING
         )
         SELECT (SELECT "id" FROM b ORDER BY "id" DESC LIMIT 1) AS last`,
        [after, BACKFILL_BATCH],
      )) as { last: string | null }[];
      after = last;
    }
    await q.query(`ANALYZE "task_tags"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS "tasks_tag_rows" ON "tasks"`);
    await q.query(`DROP FUNCTION IF EXISTS "task_tag_rows"()`);
    await q.query(`DROP TABLE IF EXISTS "task_tags"`);
  }
}
