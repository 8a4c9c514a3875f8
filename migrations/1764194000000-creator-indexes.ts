import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

const INDEXES: [name: string, table: string][] = [
  ['agents_creator_idx', 'agents'],
  ['workflows_creator_idx', 'workflows'],
];

/**
 * A user's live agents and workflows, by their creator: creating one counts the creator's rows against
 * AGENTS_PER_USER / WORKFLOWS_PER_USER, and a user's workflow triggers are read by creator. Without these the
 * count read every live row of the table. Partial (deleted rows are never counted) and built CONCURRENTLY, so
 * a large table keeps taking writes meanwhile. Down drops them.
 */
export class CreatorIndexes1764194000000 implements MigrationInterface {
  name = 'CreatorIndexes1764194000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, table] of INDEXES)
      await createIndexConcurrently(q, name, table, '("created_by") WHERE "deleted_at" IS NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts inside a transaction whatever the migration says; dropping an index is quick anyway.
    for (const [name] of INDEXES) await q.query(`DROP INDEX IF EXISTS "${name}"`);
  }
}
