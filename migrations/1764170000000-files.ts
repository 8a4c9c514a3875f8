import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Files of records (uploads, and data-processor outputs too big for a task's result), kept in FILES_DIR. */
export class Files1764170000000 implements MigrationInterface {
  name = 'Files1764170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "files" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" varchar(200) NOT NULL,
        "format" varchar(16) NOT NULL,
        "uploaded_as" varchar(64) NOT NULL,
        "size_bytes" bigint NOT NULL,
        "records" integer NOT NULL,
        "sha256" varchar(64) NOT NULL,
        "task_id" uuid,
        "created_by" uuid NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "files_pk" PRIMARY KEY ("id"),
        CONSTRAINT "files_format_check" CHECK ("format" IN ('ndjson')),
        CONSTRAINT "files_size_check" CHECK ("size_bytes" >= 0 AND "records" >= 0)
      )`);
    await q.query(`CREATE INDEX "files_creator_created_idx" ON "files" ("created_by", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "files"`);
  }
}
