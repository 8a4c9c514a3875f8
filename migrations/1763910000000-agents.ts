import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents, their configuration history and their saved state. */
export class Agents1763910000000 implements MigrationInterface {
  name = 'Agents1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "agents" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" character varying(200) NOT NULL,
        "type" character varying(50) NOT NULL,
        "description" text,
        "status" character varying(16) NOT NULL DEFAULT 'active',
        "config" jsonb NOT NULL DEFAULT '{}',
        "config_version" integer NOT NULL DEFAULT '1',
        "concurrency" integer NOT NULL DEFAULT '1',
        "timeout_ms" integer NOT NULL DEFAULT '60000',
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "agents_pk" PRIMARY KEY ("id"),
        CONSTRAINT "agents_status_check" CHECK ("status" IN ('active', 'paused')),
        CONSTRAINT "agents_limits_check" CHECK ("concurrency" >= 1 AND "timeout_ms" >= 100)
      )`);
    await q.query(`CREATE INDEX "agents_type_status_idx" ON "agents" ("type", "status")`);
    await q.query(`CREATE INDEX "agents_created_at_idx" ON "agents" ("created_at")`);
    // Names are unique among live agents; a deleted agent's name can be used again.
    await q.query(`CREATE UNIQUE INDEX "agents_name_unique" ON "agents" ("name") WHERE "deleted_at" IS NULL`);

    await q.query(`
      CREATE TABLE "agent_config_versions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "agent_id" uuid NOT NULL,
        "version" integer NOT NULL,
        "config" jsonb NOT NULL,
        "source" character varying(16) NOT NULL,
        "rolled_back_from" integer,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "agent_config_versions_pk" PRIMARY KEY ("id"),
        CONSTRAINT "agent_config_versions_source_check" CHECK ("source" IN ('create', 'update', 'rollback')),
        CONSTRAINT "agent_config_versions_agent_fk" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "agent_config_versions_agent_version_unique" ON "agent_config_versions" ("agent_id", "version")`,
    );

    await q.query(`
      CREATE TABLE "agent_states" (
        "agent_id" uuid NOT NULL,
        "state" jsonb NOT NULL,
        "saved_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "agent_states_pk" PRIMARY KEY ("agent_id"),
        CONSTRAINT "agent_states_agent_fk" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "agent_states"`);
    await q.query(`DROP TABLE "agent_config_versions"`);
    await q.query(`DROP TABLE "agents"`);
  }
}
