import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery names the occurrence it tells of: the task's or the run's finish time. One delivery per
 * endpoint, event and occurrence, so the catch-up pass that makes deliveries a killed process did not make
 * can run over finishes already delivered without sending them twice. Redeliveries carry none.
 */
export class WebhookDeliveryOccurrence1764150000000 implements MigrationInterface {
  name = 'WebhookDeliveryOccurrence1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" ADD "occurred_at" timestamptz`);
    await q.query(
      `CREATE UNIQUE INDEX "webhook_deliveries_occurrence_unique"
          ON "webhook_deliveries" ("endpoint_id", "event_type", "resource_id", "occurred_at")
       WHERE "occurred_at" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "webhook_deliveries_occurrence_unique"`);
    await q.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "occurred_at"`);
  }
}
