import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tasks and the history of their attempts. */
export class Tasks1763920000000 implements MigrationInterface {
  name = 'Tasks1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "tasks" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "agent_id" uuid NOT NULL,
        "status" character varying(16) NOT NULL,
        "input" jsonb NOT NULL,
        "output" jsonb,
        "error" jsonb,
        "attempts" integer NOT NULL DEFAULT '0',
        "attempt_offset" integer NOT NULL DEFAULT '0',
        "max_attempts" integer NOT NULL,
        "priority" integer NOT NULL,
        "backoff_ms" integer NOT NULL,
        "timeout_ms" integer,
        "run_at" TIMESTAMP WITH TIME ZONE,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "progress" integer NOT NULL DEFAULT '0',
        "progress_message" character varying(500),
        "checkpoint" jsonb,
        "created_by" uuid NOT NULL,
        "idempotency_key" character varying(255),
        "request_hash" character(64),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "tasks_pk" PRIMARY KEY ("id"),
        CONSTRAINT "tasks_status_check" CHECK ("status" IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
        CONSTRAINT "tasks_priority_check" CHECK ("priority" BETWEEN 1 AND 10),
        CONSTRAINT "tasks_max_attempts_check" CHECK ("max_attempts" BETWEEN 1 AND 10),
        CONSTRAINT "tasks_agent_fk" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX "tasks_status_created_idx" ON "tasks" ("status", "created_at")`);
    await q.query(`CREATE INDEX "tasks_agent_created_idx" ON "tasks" ("agent_id", "created_at")`);
    await q.query(`CREATE INDEX "tasks_creator_created_idx" ON "tasks" ("created_by", "created_at")`);
    // One task per user and Idempotency-Key; concurrent duplicates meet here.
    await q.query(
      `CREATE UNIQUE INDEX "tasks_idempotency_unique" ON "tasks" ("created_by", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE "task_attempts" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "task_id" uuid NOT NULL,
        "attempt" integer NOT NULL,
        "status" character varying(16) NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "error" jsonb,
        "worker_id" character varying(200) NOT NULL,
        CONSTRAINT "task_attempts_pk" PRIMARY KEY ("id"),
        CONSTRAINT "task_attempts_status_check" CHECK ("status" IN ('running', 'succeeded', 'failed', 'cancelled')),
        CONSTRAINT "task_attempts_task_fk" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX "task_attempts_task_attempt_unique" ON "task_attempts" ("task_id", "attempt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "task_attempts"`);
    await q.query(`DROP TABLE "tasks"`);
  }
}
