import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Only workflow steps have a run: the run index leaves other tasks out, so their writes skip it. */
export class PartialRunIndex1763960000000 implements MigrationInterface {
  name = 'PartialRunIndex1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "tasks_run_idx"`);
    await q.query(`CREATE INDEX "tasks_run_idx" ON "tasks" ("run_id") WHERE "run_id" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "tasks_run_idx"`);
    await q.query(`CREATE INDEX "tasks_run_idx" ON "tasks" ("run_id")`);
  }
}
