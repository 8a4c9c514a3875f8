import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk operations (retry or cancel every task or workflow run a filter matches) with the progress that makes
 * them resumable, and the indexes of the dead-letter lists: failed tasks by error code, runs by status and
 * time. The tasks index is built CONCURRENTLY, so a large table keeps taking writes meanwhile (no
 * transaction; an interrupted build is dropped and redone).
 */
export class BulkOperations1764100000000 implements MigrationInterface {
  name = 'BulkOperations1764100000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS "bulk_operations" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "kind" varchar(16) NOT NULL,
        "action" varchar(16) NOT NULL,
        "filter" jsonb NOT NULL,
        "status" varchar(16) NOT NULL,
        "matched" integer NOT NULL DEFAULT 0,
        "done" integer NOT NULL DEFAULT 0,
        "failed" integer NOT NULL DEFAULT 0,
        "cursor" uuid,
        "snapshot_at" timestamptz NOT NULL,
        "error" varchar(500),
        "created_by" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        CONSTRAINT "bulk_operations_pk" PRIMARY KEY ("id"),
        CONSTRAINT "bulk_operations_kind_check" CHECK ("kind" IN ('tasks', 'workflow-runs')),
        CONSTRAINT "bulk_operations_action_check" CHECK ("action" IN ('retry', 'cancel')),
        CONSTRAINT "bulk_operations_status_check" CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS "bulk_operations_creator_created_idx" ON "bulk_operations" ("created_by", "created_at")`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS "bulk_operations_open_idx" ON "bulk_operations" ("updated_at") WHERE "status" IN ('queued', 'running')`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS "workflow_runs_status_created_idx" ON "workflow_runs" ("status", "created_at")`,
    );
    const name = 'tasks_error_code_idx';
    const [invalid] = (await q.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`,
      [name],
    )) as unknown[];
    if (invalid) await q.query(`DROP INDEX CONCURRENTLY "${name}"`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "tasks" (("error"->>'code'), "created_at") WHERE "error" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "tasks_error_code_idx"`);
    await q.query(`DROP INDEX IF EXISTS "workflow_runs_status_created_idx"`);
    await q.query(`DROP TABLE IF EXISTS "bulk_operations"`);
  }
}
