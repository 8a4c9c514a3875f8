import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhooks: users' endpoints and one delivery row per message and endpoint, which is its delivery
 * log and what the workers re-queue when Redis lost its job.
 */
export class Webhooks1764030000000 implements MigrationInterface {
  name = 'Webhooks1764030000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook_endpoints" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "url" varchar(2048) NOT NULL,
        "events" text array NOT NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "secret_sealed" text NOT NULL,
        "consecutive_failures" integer NOT NULL DEFAULT 0,
        "failing_since" timestamptz,
        "disabled_reason" varchar(200),
        "created_by" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_endpoints_pk" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "webhook_endpoints_creator_created_idx" ON "webhook_endpoints" ("created_by", "created_at")`,
    );
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "endpoint_id" uuid NOT NULL,
        "message_id" varchar(64) NOT NULL,
        "event_type" varchar(40) NOT NULL,
        "resource_id" uuid NOT NULL,
        "payload" text NOT NULL,
        "status" varchar(16) NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "response_code" integer,
        "duration_ms" integer,
        "error" varchar(500),
        "attempt_log" jsonb NOT NULL DEFAULT '[]',
        "next_attempt_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_deliveries_pk" PRIMARY KEY ("id"),
        CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'succeeded', 'failed')),
        CONSTRAINT "webhook_deliveries_endpoint_fk" FOREIGN KEY ("endpoint_id")
          REFERENCES "webhook_endpoints" ("id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX "webhook_deliveries_endpoint_created_idx" ON "webhook_deliveries" ("endpoint_id", "created_at")`,
    );
    await q.query(
      `CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_endpoints"`);
  }
}
