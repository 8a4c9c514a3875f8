import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, refresh tokens, API keys and the append-only, hash-chained audit log. */
export class IdentityAndAudit1763900000000 implements MigrationInterface {
  name = 'IdentityAndAudit1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" character varying(320) NOT NULL,
        "name" character varying(200) NOT NULL,
        "password_hash" character varying(255) NOT NULL,
        "role" character varying(16) NOT NULL,
        "is_active" boolean NOT NULL DEFAULT true,
        "token_version" integer NOT NULL DEFAULT '0',
        "mfa_secret" text,
        "mfa_enabled" boolean NOT NULL DEFAULT false,
        "last_login_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "users_pk" PRIMARY KEY ("id"),
        CONSTRAINT "users_role_check" CHECK ("role" IN ('admin', 'operator', 'viewer')),
        CONSTRAINT "users_email_lowercase_check" CHECK ("email" = lower("email"))
      )`);
    await q.query(`CREATE UNIQUE INDEX "users_email_unique" ON "users" ("email")`);

    await q.query(`
      CREATE TABLE "refresh_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "family_id" uuid NOT NULL,
        "token_hash" character(64) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "refresh_tokens_pk" PRIMARY KEY ("id"),
        CONSTRAINT "refresh_tokens_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "refresh_tokens_hash_unique" ON "refresh_tokens" ("token_hash")`);
    await q.query(`CREATE INDEX "refresh_tokens_family_idx" ON "refresh_tokens" ("family_id")`);
    await q.query(`CREATE INDEX "refresh_tokens_user_idx" ON "refresh_tokens" ("user_id")`);

    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "name" character varying(100) NOT NULL,
        "prefix" character varying(32) NOT NULL,
        "key_hash" character(64) NOT NULL,
        "scopes" text array NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "api_keys_pk" PRIMARY KEY ("id"),
        CONSTRAINT "api_keys_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "api_keys_prefix_unique" ON "api_keys" ("prefix")`);
    await q.query(`CREATE INDEX "api_keys_user_idx" ON "api_keys" ("user_id", "created_at")`);

    await q.query(`
      CREATE TABLE "audit_logs" (
        "id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
        "actor_type" character varying(16) NOT NULL,
        "actor_id" character varying(64),
        "action" character varying(100) NOT NULL,
        "resource_type" character varying(50),
        "resource_id" character varying(100),
        "outcome" character varying(16) NOT NULL,
        "ip" character varying(64),
        "user_agent" character varying(512),
        "request_id" character varying(128),
        "details" jsonb NOT NULL DEFAULT '{}',
        "prev_hash" character(64) NOT NULL,
        "hash" character(64) NOT NULL,
        CONSTRAINT "audit_logs_pk" PRIMARY KEY ("id"),
        CONSTRAINT "audit_logs_outcome_check" CHECK ("outcome" IN ('success', 'failure', 'denied')),
        CONSTRAINT "audit_logs_actor_type_check" CHECK ("actor_type" IN ('user', 'apiKey', 'system'))
      )`);
    await q.query(`CREATE UNIQUE INDEX "audit_logs_seq_unique" ON "audit_logs" ("seq")`);
    await q.query(`CREATE INDEX "audit_logs_timestamp_idx" ON "audit_logs" ("timestamp")`);
    await q.query(`CREATE INDEX "audit_logs_actor_idx" ON "audit_logs" ("actor_id", "timestamp")`);
    await q.query(`CREATE INDEX "audit_logs_action_idx" ON "audit_logs" ("action", "timestamp")`);
    await q.query(
      `CREATE INDEX "audit_logs_resource_idx" ON "audit_logs" ("resource_type", "resource_id", "timestamp")`,
    );
    await q.query(`CREATE INDEX "audit_logs_outcome_idx" ON "audit_logs" ("outcome", "timestamp")`);
    // Append-only: the database itself refuses to change or remove an entry.
    await q.query(`
      CREATE FUNCTION "audit_logs_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER "audit_logs_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_logs"
      FOR EACH ROW EXECUTE FUNCTION "audit_logs_append_only"()`);
    await q.query(`
      CREATE TRIGGER "audit_logs_no_truncate" BEFORE TRUNCATE ON "audit_logs"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_logs_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_logs"`);
    await q.query(`DROP FUNCTION "audit_logs_append_only"()`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "refresh_tokens"`);
    await q.query(`DROP TABLE "users"`);
  }
}
