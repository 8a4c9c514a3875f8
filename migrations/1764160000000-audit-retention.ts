import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit retention: signed checkpoints of archived entries, and deletion of exactly those entries. The row
 * trigger now refuses UPDATE only; a statement trigger refuses a DELETE that removes any entry past the latest
 * checkpoint (one not yet archived), so only archived entries can ever go. TRUNCATE stays refused.
 */
export class AuditRetention1764160000000 implements MigrationInterface {
  name = 'AuditRetention1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "audit_checkpoints" (
        "id" BIGSERIAL NOT NULL,
        "first_seq" bigint NOT NULL,
        "last_seq" bigint NOT NULL,
        "prev_hash" character(64) NOT NULL,
        "last_hash" character(64) NOT NULL,
        "entries" integer NOT NULL,
        "archive" character varying(255) NOT NULL,
        "archive_sha256" character(64) NOT NULL,
        "archive_bytes" bigint NOT NULL,
        "cutoff" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "signature" character(64) NOT NULL,
        CONSTRAINT "audit_checkpoints_pk" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "audit_checkpoints_last_seq_unique" ON "audit_checkpoints" ("last_seq")`);
    await q.query(`DROP TRIGGER "audit_logs_no_update_delete" ON "audit_logs"`);
    await q.query(`
      CREATE TRIGGER "audit_logs_no_update" BEFORE UPDATE ON "audit_logs"
      FOR EACH ROW EXECUTE FUNCTION "audit_logs_append_only"()`);
    await q.query(`
      CREATE FUNCTION "audit_logs_delete_archived_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (
          SELECT 1 FROM gone
           WHERE gone.seq > COALESCE((SELECT max(last_seq) FROM audit_checkpoints), 0)
        ) THEN
          RAISE EXCEPTION 'audit_logs is append-only: DELETE is allowed for archived entries only'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "audit_logs_delete_archived" AFTER DELETE ON "audit_logs"
      REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_logs_delete_archived_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "audit_logs_delete_archived" ON "audit_logs"`);
    await q.query(`DROP FUNCTION "audit_logs_delete_archived_only"()`);
    await q.query(`DROP TRIGGER "audit_logs_no_update" ON "audit_logs"`);
    await q.query(`
      CREATE TRIGGER "audit_logs_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_logs"
      FOR EACH ROW EXECUTE FUNCTION "audit_logs_append_only"()`);
    await q.query(`DROP TABLE "audit_checkpoints"`);
  }
}
