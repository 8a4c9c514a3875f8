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
export const STEP_STATUSES = [
  'pending',
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const FINAL_STEP_STATUSES: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

/** How an approval step was decided: by a person, or by its timeout (`by` null). */
export interface StepDecision {
  outcome: 'approved' | 'rejected' | 'timed_out';
  by: string | null;
  at: string;
  comment: string | null;
}

export interface StepState {
  status: StepStatus;
  taskId: string | null;
  output: unknown;
  error: TaskError | null;
  /** Set once an approval or wait step starts waiting; absent on task steps. */
  kind?: 'approval' | 'wait';
  /** A wait step: when it succeeds (ISO time). */
  waitUntil?: string;
  /** An approval step with a timeout: when it is rejected if nobody decided (ISO time). */
  approvalDeadline?: string | null;
  decision?: StepDecision;
  /**
   * A pending step's dependencies not yet over, counted down as they end (internal, never shown). Absent until
   * first needed, and dropped by every whole-run save: it is then counted again from the dependencies.
   */
  pendingDeps?: number;
}

@Entity('workflow_runs')
@Check('workflow_runs_status_check', `"status" IN ('running', 'succeeded', 'failed', 'cancelled')`)
@Index('workflow_runs_workflow_created_idx', ['workflowId', 'createdAt'])
@Index('workflow_runs_status_idx', ['status', 'updatedAt'])
@Index('workflow_runs_wake_idx', ['wakeAt'], { where: `"wake_at" IS NOT NULL AND "status" = 'running'` })
@Index('workflow_runs_status_created_idx', ['status', 'createdAt'])
@Index('workflow_runs_creator_created_idx', ['createdBy', 'createdAt'])
// GIN index for the list's tag filter (migration FlowControl): TypeORM cannot declare it.
@Index('workflow_runs_tags_idx', { synchronize: false })
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

  /**
   * The state of every step, by step id; changed only under a lock on the run's row. Stored a row per step
   * (`workflow_run_steps`), read and written with the run by its repository.
   */
  steps!: Record<string, StepState>;

  /** Labels to find the run by (`?tag=`), given when it starts. */
  @Column({ type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Set when a schedule's fire started the run: the same fire never starts a second one. */
  /**
   * The earliest time one of the run's waiting steps falls due (a wait's end, an approval's deadline); null when
   * none does. Derived from `steps` on every save; the reconciler finds waits Redis lost by it.
   */
  @Column({ name: 'wake_at', type: 'timestamptz', nullable: true })
  wakeAt!: Date | null;

  /**
   * The run has waiting steps and nothing queued or running: only a decision or a wait's end moves it, so the
   * sweeper leaves it alone. Derived from `steps` on every save.
   */
  @Column({ type: 'boolean', default: false })
  parked!: boolean;

  /**
   * How many steps are not over yet (pending, queued, running, waiting): the run concludes when it reaches 0,
   * without looking at every step. Counted from `steps` on every whole-run save; kept up to date step by step.
   */
  @Column({ name: 'open_steps', type: 'integer', default: 0 })
  openSteps!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  /**
   * How many trigger starts led to this run: 0 for a run started otherwise, 1 for one a trigger started on
   * an event of such a run (or of a task outside runs), and so on. Triggers stop at a maximum (loops).
   */
  @Column({ name: 'trigger_depth', type: 'integer', default: 0 })
  triggerDepth!: number;
}
