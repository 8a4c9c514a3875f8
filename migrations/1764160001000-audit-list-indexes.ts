import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from './concurrent-index';

/** Each filter of the audit list, then chain order; `name` → its columns. */
const SEQ_INDEXES: [string, string][] = [
  ['audit_logs_actor_seq_idx', '("actor_id", "seq")'],
  ['audit_logs_action_seq_idx', '("action", "seq")'],
  ['audit_logs_resource_seq_idx', '("resource_type", "resource_id", "seq")'],
  ['audit_logs_outcome_seq_idx', '("outcome", "seq")'],
  ['audit_logs_timestamp_seq_idx', '("timestamp", "seq")'],
];
const TIMESTAMP_INDEXES: [string, string][] = [
  ['audit_logs_timestamp_idx', '("timestamp")'],
  ['audit_logs_actor_idx', '("actor_id", "timestamp")'],
  ['audit_logs_action_idx', '("action", "timestamp")'],
  ['audit_logs_resource_idx', '("resource_type", "resource_id", "timestamp")'],
  ['audit_logs_outcome_idx', '("outcome", "timestamp")'],
];

/**
 * The audit list is newest first in chain order (seq DESC): with a filter, its index now ends in `seq`, so a page
 * is read in order from the index instead of sorting every matching entry of millions. `timestamp, seq` gives a
 * time range's last chain position from the index alone. Built CONCURRENTLY (the chain keeps growing meanwhile).
 */
export class AuditListIndexes1764160001000 implements MigrationInterface {
  name = 'AuditListIndexes1764160001000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, columns] of SEQ_INDEXES) await createIndexConcurrently(q, name, 'audit_logs', columns);
    for (const [name] of TIMESTAMP_INDEXES) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
  }

  async down(q: QueryRunner): Promise<void> {
    // TypeORM reverts inside a transaction whatever the migration says.
    for (const [name, columns] of TIMESTAMP_INDEXES) {
      await q.query(`CREATE INDEX IF NOT EXISTS "${name}" ON "audit_logs" ${columns}`);
    }
    for (const [name] of SEQ_INDEXES) await q.query(`DROP INDEX IF EXISTS "${name}"`);
  }
}
