import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Workflows, their runs, and the link from a task to the run step it performs. */
export class Workflows1763930000000 implements MigrationInterface {
  name = 'Workflows1763930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflows" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" character varying(200) NOT NULL,
        "description" text,
        "steps" jsonb NOT NULL,
        "version" integer NOT NULL DEFAULT '1',
        "created_by" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "workflows_pk" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "workflows_created_at_idx" ON "workflows" ("created_at")`);

    await q.query(`
      CREATE TABLE "workflow_runs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "workflow_id" uuid NOT NULL,
        "workflow_version" integer NOT NULL,
        "definition" jsonb NOT NULL,
        "status" character varying(16) NOT NULL,
        "input" jsonb NOT NULL,
        "output" jsonb,
        "steps" jsonb NOT NULL,
        "created_by" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "workflow_runs_pk" PRIMARY KEY ("id"),
        CONSTRAINT "workflow_runs_status_check" CHECK ("status" IN ('running', 'succeeded', 'failed', 'cancelled')),
        CONSTRAINT "workflow_runs_workflow_fk" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX "workflow_runs_workflow_created_idx" ON "workflow_runs" ("workflow_id", "created_at")`);
    await q.query(`CREATE INDEX "workflow_runs_status_idx" ON "workflow_runs" ("status", "updated_at")`);
    await q.query(`CREATE INDEX "workflow_runs_creator_created_idx" ON "workflow_runs" ("created_by", "created_at")`);

    await q.query(`ALTER TABLE "tasks" ADD "run_id" uuid`);
    await q.query(`ALTER TABLE "tasks" ADD "step_id" character varying(100)`);
    await q.query(`CREATE INDEX "tasks_run_idx" ON "tasks" ("run_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "tasks_run_idx"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "step_id"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "run_id"`);
    await q.query(`DROP TABLE "workflow_runs"`);
    await q.query(`DROP TABLE "workflows"`);
  }
}
