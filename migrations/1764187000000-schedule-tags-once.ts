import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A schedule's tags are now each given once: an API client that sends a schedule's tags back as it read them
 * would otherwise be refused for those stored before. Each tag is kept once, where it first appeared.
 */
export class ScheduleTagsOnce1764187000000 implements MigrationInterface {
  name = 'ScheduleTagsOnce1764187000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "schedules" s
          SET "tags" = ARRAY(SELECT u.tag FROM unnest(s."tags") WITH ORDINALITY AS u(tag, n) GROUP BY u.tag ORDER BY min(u.n))
        WHERE cardinality(s."tags") <> (SELECT count(DISTINCT tag) FROM unnest(s."tags") AS tag)`,
    );
  }

  async down(): Promise<void> {
    // The tags given twice were the same tag: nothing is lost, nothing to restore.
  }
}
