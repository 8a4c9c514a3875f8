import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit entries are written with their change into `audit_pending` and chained into `audit_logs` in
 * batches, so writers no longer serialise on the chain.
 */
export class AuditPending1763950000000 implements MigrationInterface {
  name = 'AuditPending1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "audit_pending" (
        "position" BIGSERIAL NOT NULL,
        "id" uuid NOT NULL,
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
        CONSTRAINT "audit_pending_pk" PRIMARY KEY ("position"),
        CONSTRAINT "audit_pending_outcome_check" CHECK ("outcome" IN ('success', 'failure', 'denied')),
        CONSTRAINT "audit_pending_actor_type_check" CHECK ("actor_type" IN ('user', 'apiKey', 'system'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Entries still waiting would be lost: the running application chains them within a second.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM "audit_pending") THEN
          RAISE EXCEPTION 'audit entries are waiting to be chained: start the application once, then revert';
        END IF;
      END $$`);
    await q.query(`DROP TABLE "audit_pending"`);
  }
}
