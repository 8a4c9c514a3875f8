import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

/**
 * The open attempts (`status = 'running'`), by task and attempt: the reconciler pages through them for those
 * whose task has ended meanwhile (cancelled while its worker was away) to close them. Without it the search read
 * every attempt the table keeps; with it, only the open ones, about as many as tasks run at once. Built
 * CONCURRENTLY, so a large table keeps taking writes meanwhile. Down drops it.
 */
export class OpenAttemptsIndex1764195000000 implements MigrationInterface {
  name = 'OpenAttemptsIndex1764195000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      q,
      'task_attempts_open_idx',
      'task_attempts',
      `("task_id", "attempt") WHERE "status" = 'running'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts inside a transaction whatever the migration says; dropping an index is quick anyway.
    await q.query(`DROP INDEX IF EXISTS "task_attempts_open_idx"`);
  }
}
