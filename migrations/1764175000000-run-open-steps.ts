import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run counts its steps not over yet, so a step's end tells whether the run is over without reading every
 * step of it. Counted for the runs there are from their steps.
 */
export class RunOpenSteps1764175000000 implements MigrationInterface {
  name = 'RunOpenSteps1764175000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" ADD "open_steps" integer NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE "workflow_runs" r
          SET "open_steps" = (SELECT count(*) FROM jsonb_each(r."steps") s
                               WHERE s.value->>'status' NOT IN ('succeeded', 'failed', 'skipped', 'cancelled'))
        WHERE r."status" = 'running'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "open_steps"`);
  }
}
