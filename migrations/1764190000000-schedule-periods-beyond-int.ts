import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A schedule's `every_ms` as `bigint`: the contract allows periods up to 366 days (31,622,400,000 ms), but an
 * `integer` holds 24.8 days at most, so a monthly period was refused by the database. Widening an integer is a
 * rewrite of the (small) table under its lock. Down narrows it again, and fails on a period that does not fit:
 * such a schedule must be changed first, not silently cut short.
 */
export class SchedulePeriodsBeyondInt1764190000000 implements MigrationInterface {
  name = 'SchedulePeriodsBeyondInt1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "schedules" ALTER COLUMN "every_ms" TYPE bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "schedules" ALTER COLUMN "every_ms" TYPE integer`);
  }
}
