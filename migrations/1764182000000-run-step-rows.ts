import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's step states move from its `steps` document to rows of their own, one per step: an advance then reads
 * and writes the rows of the steps it touched, and no longer rewrites the whole document (a 500-step fan-out's
 * is about 70 kB) for each step that ends. Every run's states are copied over, and back by `down`.
 */
export class RunStepRows1764182000000 implements MigrationInterface {
  name = 'RunStepRows1764182000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "workflow_run_steps" (
         "run_id" uuid NOT NULL,
         "step_id" character varying(100) NOT NULL,
         "state" jsonb NOT NULL,
         CONSTRAINT "workflow_run_steps_pk" PRIMARY KEY ("run_id", "step_id"),
         CONSTRAINT "workflow_run_steps_run_fk" FOREIGN KEY ("run_id") REFERENCES "workflow_runs"("id")
           ON DELETE CASCADE ON UPDATE NO ACTION
       )`,
    );
    await q.query(
      `INSERT INTO "workflow_run_steps" ("run_id", "step_id", "state")
       SELECT r."id", s.key, s.value FROM "workflow_runs" r, jsonb_each(r."steps") s`,
    );
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "steps"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" ADD "steps" jsonb NOT NULL DEFAULT '{}'`);
    await q.query(
      `UPDATE "workflow_runs" r
          SET "steps" = s.steps
         FROM (SELECT "run_id", jsonb_object_agg("step_id", "state") AS steps
                 FROM "workflow_run_steps" GROUP BY "run_id") s
        WHERE s."run_id" = r."id"`,
    );
    await q.query(`ALTER TABLE "workflow_runs" ALTER COLUMN "steps" DROP DEFAULT`);
    await q.query(`DROP TABLE "workflow_run_steps"`);
  }
}
