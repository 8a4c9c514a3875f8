import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const BULK_KINDS = ['tasks', 'workflow-runs'] as const;
export type BulkKind = (typeof BULK_KINDS)[number];
export const BULK_ACTIONS = ['retry', 'cancel'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const BULK_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type BulkStatus = (typeof BULK_STATUSES)[number];

/**
 * One bulk retry or cancel: the filter as it was asked for, and how far the worker got. `cursor` is the last
 * id handled, in id order over the filter's matches created up to `snapshotAt`; it moves with `done` and
 * `failed` in the transaction that changes each batch, so a worker that dies resumes after the last batch it
 * committed.
 */
@Entity('bulk_operations')
@Check('bulk_operations_kind_check', `"kind" IN ('tasks', 'workflow-runs')`)
@Check('bulk_operations_action_check', `"action" IN ('retry', 'cancel')`)
@Check('bulk_operations_status_check', `"status" IN ('queued', 'running', 'succeeded', 'failed')`)
@Index('bulk_operations_creator_created_idx', ['createdBy', 'createdAt'])
@Index('bulk_operations_open_idx', ['updatedAt'], { where: `"status" IN ('queued', 'running')` })
export class BulkOperationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'bulk_operations_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: BulkKind;

  @Column({ type: 'varchar', length: 16 })
  action!: BulkAction;

  @Column({ type: 'jsonb' })
  filter!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  status!: BulkStatus;

  /** Matches when the operation was created (those its action applies to). */
  @Column({ type: 'integer', default: 0 })
  matched!: number;

  /** Items changed. */
  @Column({ type: 'integer', default: 0 })
  done!: number;

  /** Items that matched but could no longer be changed when their batch came (they had moved on). */
  @Column({ type: 'integer', default: 0 })
  failed!: number;

  @Column({ type: 'uuid', nullable: true })
  cursor!: string | null;

  /** Only items created up to this instant belong to the operation. */
  @Column({ name: 'snapshot_at', type: 'timestamptz' })
  snapshotAt!: Date;

  /** Why the operation failed, when it did. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
