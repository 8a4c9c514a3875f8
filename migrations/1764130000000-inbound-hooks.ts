import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound hooks: a URL outside systems call, signed (Standard Webhooks) or with a bearer token, that starts a
 * task of an agent or a run of a workflow as the hook's creator.
 */
export class InboundHooks1764130000000 implements MigrationInterface {
  name = 'InboundHooks1764130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "inbound_hooks" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" varchar(100) NOT NULL,
        "agent_id" uuid,
        "workflow_id" uuid,
        "auth" varchar(16) NOT NULL,
        "secret_sealed" text,
        "token_hash" varchar(64),
        "input_template" jsonb,
        "rate_limit_per_minute" integer NOT NULL DEFAULT 60,
        "enabled" boolean NOT NULL DEFAULT true,
        "created_by" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "inbound_hooks_pk" PRIMARY KEY ("id"),
        CONSTRAINT "inbound_hooks_target_check" CHECK (("agent_id" IS NULL) <> ("workflow_id" IS NULL)),
        CONSTRAINT "inbound_hooks_auth_check" CHECK ("auth" IN ('hmac', 'bearer')),
        CONSTRAINT "inbound_hooks_secret_check" CHECK (("secret_sealed" IS NULL) <> ("token_hash" IS NULL))
      )`);
    await q.query(`CREATE INDEX "inbound_hooks_creator_created_idx" ON "inbound_hooks" ("created_by", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "inbound_hooks"`);
  }
}
