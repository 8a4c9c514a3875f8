import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Checkpoints that grow as an attempt goes on are saved a part at a time: one small row per part instead of
 * the whole state rewritten into `tasks.checkpoint` after every step.
 */
export class TaskCheckpointParts1763980000000 implements MigrationInterface {
  name = 'TaskCheckpointParts1763980000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "task_checkpoint_parts" (
        "task_id" uuid NOT NULL,
        "seq" integer NOT NULL,
        "part" jsonb NOT NULL,
        CONSTRAINT "task_checkpoint_parts_pk" PRIMARY KEY ("task_id", "seq"),
        CONSTRAINT "task_checkpoint_parts_task_fk" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "task_checkpoint_parts"`);
  }
}
