import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A signed record of one archive of the oldest audit entries (`first_seq`..`last_seq`), written once the archive
 * file is on disk and before those entries are deleted. The chain stays verifiable from the latest one: the
 * first entry still in `audit_logs` links to its `last_hash`. `signature` is an HMAC-SHA256 over every other
 * field (see audit-checkpoint.ts), so a changed checkpoint, or one that was never made by the platform, shows.
 */
@Entity('audit_checkpoints')
@Index('audit_checkpoints_last_seq_unique', ['lastSeq'], { unique: true })
export class AuditCheckpointEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'audit_checkpoints_pk' })
  id!: string;

  @Column({ name: 'first_seq', type: 'bigint' })
  firstSeq!: string;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  /** The hash the archive's first entry links to: the previous checkpoint's `last_hash`, or the genesis hash. */
  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ name: 'last_hash', type: 'char', length: 64 })
  lastHash!: string;

  @Column({ type: 'int' })
  entries!: number;

  /** The archive's file name in AUDIT_ARCHIVE_DIR. */
  @Column({ type: 'varchar', length: 255 })
  archive!: string;

  @Column({ name: 'archive_sha256', type: 'char', length: 64 })
  archiveSha256!: string;

  @Column({ name: 'archive_bytes', type: 'bigint' })
  archiveBytes!: string;

  /** Entries older than this were due. */
  @Column({ type: 'timestamptz' })
  cutoff!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'char', length: 64 })
  signature!: string;
}
