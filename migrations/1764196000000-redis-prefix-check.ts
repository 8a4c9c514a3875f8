import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The REDIS_PREFIX every process of the database uses, checked at every start. */
export class RedisPrefixCheck1764196000000 implements MigrationInterface {
  name = 'RedisPrefixCheck1764196000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "redis_prefix_check" (
        "id" smallint NOT NULL DEFAULT 1,
        "prefix" varchar(200) NOT NULL,
        "recorded_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "redis_prefix_check_pk" PRIMARY KEY ("id"),
        CONSTRAINT "redis_prefix_check_single" CHECK ("id" = 1)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "redis_prefix_check"`);
  }
}
