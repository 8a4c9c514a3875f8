import type { MigrationInterface, QueryRunner } from 'typeorm';

/** TOTP codes become single-use (the last accepted time step is kept), and MFA gains recovery codes. */
export class MfaReplayAndRecoveryCodes1763970000000 implements MigrationInterface {
  name = 'MfaReplayAndRecoveryCodes1763970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "users" ADD "mfa_last_step" integer`);
    await q.query(`
      CREATE TABLE "mfa_recovery_codes" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "code_hash" character(64) NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "mfa_recovery_codes_pk" PRIMARY KEY ("id"),
        CONSTRAINT "mfa_recovery_codes_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "mfa_recovery_codes_user_idx" ON "mfa_recovery_codes" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "mfa_recovery_codes"`);
    await q.query(`ALTER TABLE "users" DROP COLUMN "mfa_last_step"`);
  }
}
