import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { WorkflowTrigger } from '../triggers/trigger-definition';
import type { WorkflowStep } from '../workflow-definition';

@Entity('workflows')
@Index('workflows_created_at_idx', ['createdAt'])
@Index('workflows_creator_idx', ['createdBy'], { where: '"deleted_at" IS NULL' })
@Index('workflows_changed_with_key_idx', ['changedWithKeyId'], { where: `"changed_with_key_id" IS NOT NULL` })
export class WorkflowEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'workflows_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'jsonb' })
  steps!: WorkflowStep[];

  /** Raised on every change of the definition; a run keeps the version (and steps) it started with. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** The platform events that start a run of it, as its creator (see triggers/trigger-definition.ts). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  triggers!: WorkflowTrigger[];

  /** When its triggers last changed: events before it do not start it (the reconciler looks no further back). */
  @Column({ name: 'triggers_since', type: 'timestamptz', nullable: true })
  triggersSince!: Date | null;

  /** Why the platform paused its triggers (they start nothing); null when they run. Setting them resumes them. */
  @Column({ name: 'triggers_paused_reason', type: 'varchar', length: 200, nullable: true })
  triggersPausedReason!: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  /** The API key that created or last changed the workflow; null when a signed-in user did. */
  @Column({ name: 'changed_with_key_id', type: 'uuid', nullable: true })
  changedWithKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
