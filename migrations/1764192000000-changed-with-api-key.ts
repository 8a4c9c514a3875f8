import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules and webhook endpoints remember the API key that created or last changed them
 * (`changed_with_key_id`, null when a signed-in user did), so that revoking the key pauses or disables what it
 * set running. A schedule also keeps why the platform paused it (`paused_reason`), as an endpoint keeps why it
 * was disabled. The partial indexes serve the revocation's search. Both columns are new and nullable: no row is
 * rewritten. Down drops them.
 */
export class ChangedWithApiKey1764192000000 implements MigrationInterface {
  name = 'ChangedWithApiKey1764192000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "schedules" ADD COLUMN "changed_with_key_id" uuid`);
    await q.query(`ALTER TABLE "schedules" ADD COLUMN "paused_reason" varchar(200)`);
    await q.query(
      `CREATE INDEX "schedules_changed_with_key_idx" ON "schedules" ("changed_with_key_id")
        WHERE "changed_with_key_id" IS NOT NULL`,
    );
    await q.query(`ALTER TABLE "webhook_endpoints" ADD COLUMN "changed_with_key_id" uuid`);
    await q.query(
      `CREATE INDEX "webhook_endpoints_changed_with_key_idx" ON "webhook_endpoints" ("changed_with_key_id")
        WHERE "changed_with_key_id" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "webhook_endpoints_changed_with_key_idx"`);
    await q.query(`ALTER TABLE "webhook_endpoints" DROP COLUMN "changed_with_key_id"`);
    await q.query(`DROP INDEX "schedules_changed_with_key_idx"`);
    await q.query(`ALTER TABLE "schedules" DROP COLUMN "paused_reason"`);
    await q.query(`ALTER TABLE "schedules" DROP COLUMN "changed_with_key_id"`);
  }
}
