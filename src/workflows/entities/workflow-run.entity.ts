import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import type { TaskError } from '../../tasks/task';
import type { WorkflowStep } from '../workflow-definition';
import { WorkflowEntity } from './workflow.entity';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type StepStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const FINAL_STEP_STATUSES: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

export interface StepState {
  status: StepStatus;
  taskId: string | null;
  output: unknown;
  error: TaskError | null;
}

@Entity('workflow_runs')
@Check('workflow_runs_status_check', `"status" IN ('running', 'succeeded', 'failed', 'cancelled')`)
@Index('workflow_runs_workflow_created_idx', ['workflowId', 'createdAt'])
@Index('workflow_runs_status_idx', ['status', 'updatedAt'])
@Index('workflow_runs_creator_created_idx', ['createdBy', 'createdAt'])
@Index('workflow_runs_idempotency_unique', ['createdBy', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
export class WorkflowRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'workflow_runs_pk' })
  id!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @ManyToOne(() => WorkflowEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'workflow_id', foreignKeyConstraintName: 'workflow_runs_workflow_fk' })
  workflow?: Relation<WorkflowEntity>;

  @Column({ name: 'workflow_version', type: 'integer' })
  workflowVersion!: number;

  /** The steps as they were when the run started. */
  @Column({ type: 'jsonb' })
  definition!: WorkflowStep[];

  @Column({ type: 'varchar', length: 16 })
  status!: RunStatus;

  @Column({ type: 'jsonb' })
  input!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  /** The state of every step, by step id; changed only under a lock on the row. */
  @Column({ type: 'jsonb' })
  steps!: Record<string, StepState>;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Set when a schedule's fire started the run: the same fire never starts a second one. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  /**
   * How many trigger starts led to this run: 0 for a run started otherwise, 1 for one a trigger started on
   * an event of such a run (or of a task outside runs), and so on. Triggers stop at a maximum (loops).
   */
  @Column({ name: 'trigger_depth', type: 'integer', default: 0 })
  triggerDepth!: number;
}
