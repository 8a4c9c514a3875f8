import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflows remember the API key that created or last changed them (`changed_with_key_id`, null when a
 * signed-in user did), and why the platform paused their triggers (`triggers_paused_reason`): revoking the key
 * pauses the triggers it could have set, as it pauses its schedules. Both columns are new and nullable: no row
 * is rewritten. Down drops them.
 */
export class WorkflowTriggersPaused1764193000000 implements MigrationInterface {
  name = 'WorkflowTriggersPaused1764193000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflows" ADD COLUMN "changed_with_key_id" uuid`);
    await q.query(`ALTER TABLE "workflows" ADD COLUMN "triggers_paused_reason" varchar(200)`);
    await q.query(
      `CREATE INDEX "workflows_changed_with_key_idx" ON "workflows" ("changed_with_key_id")
        WHERE "changed_with_key_id" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "workflows_changed_with_key_idx"`);
    await q.query(`ALTER TABLE "workflows" DROP COLUMN "triggers_paused_reason"`);
    await q.query(`ALTER TABLE "workflows" DROP COLUMN "changed_with_key_id"`);
  }
}
