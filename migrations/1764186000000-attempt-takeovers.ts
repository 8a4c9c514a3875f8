import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where an attempt ran before it was taken over: its row keeps its number and takes the new worker's id and
 * start, and the ones it had before are listed here, oldest first. A constant default: no table rewrite.
 */
export class AttemptTakeovers1764186000000 implements MigrationInterface {
  name = 'AttemptTakeovers1764186000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task_attempts" ADD "taken_over_from" jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task_attempts" DROP COLUMN "taken_over_from"`);
  }
}
