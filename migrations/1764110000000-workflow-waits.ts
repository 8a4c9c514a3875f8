import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Steps that wait (approvals, timed waits): a run keeps when its next wait falls due, for the reconciler to find
 * waits Redis lost, and whether only waits hold it, for the sweeper to pass it by.
 */
export class WorkflowWaits1764110000000 implements MigrationInterface {
  name = 'WorkflowWaits1764110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" ADD "wake_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "workflow_runs" ADD "parked" boolean NOT NULL DEFAULT false`);
    await q.query(
      `CREATE INDEX "workflow_runs_wake_idx" ON "workflow_runs" ("wake_at") WHERE "wake_at" IS NOT NULL AND "status" = 'running'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "workflow_runs_wake_idx"`);
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "parked"`);
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "wake_at"`);
  }
}
