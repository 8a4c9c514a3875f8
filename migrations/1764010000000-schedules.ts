import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules start tasks or workflow runs on a cron pattern or a fixed period. A run started by a schedule's
 * fire carries an idempotency key, unique per creator like a task's, so a fire made twice starts one run.
 */
export class Schedules1764010000000 implements MigrationInterface {
  name = 'Schedules1764010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "schedules" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" varchar(100) NOT NULL,
        "agent_id" uuid,
        "workflow_id" uuid,
        "input" jsonb NOT NULL,
        "cron" varchar(120),
        "every_ms" integer,
        "timezone" varchar(64) NOT NULL,
        "start_at" timestamptz,
        "end_at" timestamptz,
        "paused" boolean NOT NULL DEFAULT false,
        "overlap" varchar(8) NOT NULL,
        "fired_until" timestamptz NOT NULL,
        "last_target_id" uuid,
        "last_fire_at" timestamptz,
        "created_by" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "schedules_pk" PRIMARY KEY ("id"),
        CONSTRAINT "schedules_target_check" CHECK (("agent_id" IS NULL) <> ("workflow_id" IS NULL)),
        CONSTRAINT "schedules_timing_check" CHECK (("cron" IS NULL) <> ("every_ms" IS NULL)),
        CONSTRAINT "schedules_overlap_check" CHECK ("overlap" IN ('allow', 'skip'))
      )`);
    await q.query(`CREATE INDEX "schedules_creator_created_idx" ON "schedules" ("created_by", "created_at")`);
    await q.query(`ALTER TABLE "workflow_runs" ADD "idempotency_key" varchar(255)`);
    await q.query(
      `CREATE UNIQUE INDEX "workflow_runs_idempotency_unique" ON "workflow_runs" ("created_by", "idempotency_key")
        WHERE "idempotency_key" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "workflow_runs_idempotency_unique"`);
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "idempotency_key"`);
    await q.query(`DROP TABLE "schedules"`);
  }
}
