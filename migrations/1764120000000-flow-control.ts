import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

const STATUSES = `'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'`;

/**
 * Flow control: a task's concurrency key and expiry (and the `expired` status), an agent's limit per key, and
 * tags on workflow runs. The indexes are built CONCURRENTLY (no transaction), and the widened status check is
 * added NOT VALID and validated apart, so neither holds up writes on a large `tasks` table.
 */
export class FlowControl1764120000000 implements MigrationInterface {
  name = 'FlowControl1764120000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tasks" ADD COLUMN IF NOT EXISTS "concurrency_key" varchar(200)`);
    await q.query(`ALTER TABLE "tasks" ADD COLUMN IF NOT EXISTS "expire_at" timestamptz`);
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT IF EXISTS "tasks_status_check"`);
    await q.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_status_check" CHECK ("status" IN (${STATUSES}, 'expired')) NOT VALID`,
    );
    await q.query(`ALTER TABLE "tasks" VALIDATE CONSTRAINT "tasks_status_check"`);
    await q.query(`ALTER TABLE "agents" ADD COLUMN IF NOT EXISTS "concurrency_per_key" integer`);
    await q.query(`ALTER TABLE "agents" DROP CONSTRAINT IF EXISTS "agents_concurrency_per_key_check"`);
    await q.query(
      `ALTER TABLE "agents" ADD CONSTRAINT "agents_concurrency_per_key_check" CHECK ("concurrency_per_key" >= 1)`,
    );
    await q.query(`ALTER TABLE "workflow_runs" ADD COLUMN IF NOT EXISTS "tags" varchar(64)[] NOT NULL DEFAULT '{}'`);
    // The expiry job's search: only queued tasks with a deadline, a small part of the table.
    await createIndexConcurrently(
      q,
      'tasks_expire_at_idx',
      'tasks',
      `("expire_at") WHERE "status" = 'queued' AND "expire_at" IS NOT NULL`,
    );
    await createIndexConcurrently(q, 'workflow_runs_tags_idx', 'workflow_runs', `USING gin ("tags")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "workflow_runs_tags_idx"`);
    await q.query(`DROP INDEX IF EXISTS "tasks_expire_at_idx"`);
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "tags"`);
    await q.query(`ALTER TABLE "agents" DROP CONSTRAINT "agents_concurrency_per_key_check"`);
    await q.query(`ALTER TABLE "agents" DROP COLUMN "concurrency_per_key"`);
    // The earlier schema has no `expired`: such tasks become failed ones, their error saying why.
    await q.query(`UPDATE "tasks" SET "status" = 'failed' WHERE "status" = 'expired'`);
    await q.query(`ALTER TABLE "tasks" DROP CONSTRAINT "tasks_status_check"`);
    await q.query(`ALTER TABLE "tasks" ADD CONSTRAINT "tasks_status_check" CHECK ("status" IN (${STATUSES}))`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "expire_at"`);
    await q.query(`ALTER TABLE "tasks" DROP COLUMN "concurrency_key"`);
  }
}
