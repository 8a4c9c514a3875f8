import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each handled fire of a schedule, kept for its history: what it made (a task or a run), or why it made
 * nothing (skipped while the last one ran, refused). Gone with its schedule.
 */
export class ScheduleFires1764140000000 implements MigrationInterface {
  name = 'ScheduleFires1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "schedule_fires" (
        "schedule_id" uuid NOT NULL,
        "fire_at" timestamptz NOT NULL,
        "outcome" varchar(16) NOT NULL,
        "target_id" uuid,
        "error" varchar(64),
        "handled_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "schedule_fires_pk" PRIMARY KEY ("schedule_id", "fire_at"),
        CONSTRAINT "schedule_fires_schedule_fk" FOREIGN KEY ("schedule_id") REFERENCES "schedules" ("id")
          ON DELETE CASCADE,
        CONSTRAINT "schedule_fires_outcome_check" CHECK ("outcome" IN ('made', 'skipped-overlap', 'failed'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "schedule_fires"`);
  }
}
