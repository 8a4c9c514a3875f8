import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The fingerprint of the SECRETS_KEY that seals the database's secrets, checked at every start. */
export class SecretsKeyCheck1764185000000 implements MigrationInterface {
  name = 'SecretsKeyCheck1764185000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "secrets_key_check" (
        "id" smallint NOT NULL DEFAULT 1,
        "fingerprint" varchar(64) NOT NULL,
        "recorded_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "secrets_key_check_pk" PRIMARY KEY ("id"),
        CONSTRAINT "secrets_key_check_single" CHECK ("id" = 1)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "secrets_key_check"`);
  }
}
