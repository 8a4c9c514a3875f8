import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow triggers: the platform events a workflow starts on, since when they count (the reconciler looks no
 * further back), and how many trigger starts led to each run (loop protection).
 */
export class WorkflowTriggers1764131000000 implements MigrationInterface {
  name = 'WorkflowTriggers1764131000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflows" ADD "triggers" jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE "workflows" ADD "triggers_since" timestamptz`);
    await q.query(`ALTER TABLE "workflow_runs" ADD "trigger_depth" integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "trigger_depth"`);
    await q.query(`ALTER TABLE "workflows" DROP COLUMN "triggers_since"`);
    await q.query(`ALTER TABLE "workflows" DROP COLUMN "triggers"`);
  }
}
