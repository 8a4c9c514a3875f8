import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard's outcome figures (failure rates, p95 durations) read the tasks that finished in the last
 * hour or day: an index on finished_at, holding finished tasks only, finds them without reading the table.
 */
export class TaskFinishedIndex1763990000000 implements MigrationInterface {
  name = 'TaskFinishedIndex1763990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "tasks_finished_idx" ON "tasks" ("finished_at") WHERE "finished_at" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "tasks_finished_idx"`);
  }
}
