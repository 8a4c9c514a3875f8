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
import { AgentEntity } from '../../agents/entities/agent.entity';
import type { TaskError, TaskStatus } from '../task';

@Entity('tasks')
@Check(
  'tasks_status_check',
  `"status" IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'expired')`,
)
@Check('tasks_priority_check', `"priority" BETWEEN 1 AND 10`)
@Check('tasks_max_attempts_check', `"max_attempts" BETWEEN 1 AND 10`)
@Index('tasks_created_idx', ['createdAt', 'id'])
@Index('tasks_status_created_idx', ['status', 'createdAt'])
@Index('tasks_agent_created_idx', ['agentId', 'createdAt'])
@Index('tasks_creator_created_idx', ['createdBy', 'createdAt'])
@Index('tasks_run_idx', ['runId'], { where: '"run_id" IS NOT NULL' })
@Index('tasks_finished_idx', ['finishedAt'], { where: '"finished_at" IS NOT NULL' })
@Index('tasks_expire_at_idx', ['expireAt'], { where: `"status" = 'queued' AND "expire_at" IS NOT NULL` })
// GIN indexes for the list's tag and metadata filters (migration TaskTags): TypeORM cannot declare them.
@Index('tasks_tags_idx', { synchronize: false })
@Index('tasks_metadata_idx', { synchronize: false })
// Failed and cancelled tasks by error code (`?errorCode=`, the dead-letter lists), counted from the index alone.
@Index('tasks_error_code_idx', ['errorCode', 'status', 'createdAt'], { where: '"error_code" IS NOT NULL' })
@Index('tasks_idempotency_unique', ['createdBy', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'tasks_pk' })
  id!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'tasks_agent_fk' })
  agent?: Relation<AgentEntity>;

  @Column({ type: 'varchar', length: 16 })
  status!: TaskStatus;

  @Column({ type: 'jsonb' })
  input!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: TaskError | null;

  /** The error's code: Postgres generates it from `error` (migration TaskErrorCodeColumn), never written. */
  @Column({
    name: 'error_code',
    type: 'text',
    nullable: true,
    generatedType: 'STORED',
    asExpression: `"error"->>'code'`,
    insert: false,
    update: false,
    select: false,
  })
  errorCode?: string | null;

  /** Attempts started so far, over every run of the task (a manual retry continues the count). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Attempts made before the current run began (a manual retry starts a new run). */
  @Column({ name: 'attempt_offset', type: 'integer', default: 0 })
  attemptOffset!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ name: 'backoff_ms', type: 'integer' })
  backoffMs!: number;

  @Column({ name: 'timeout_ms', type: 'integer', nullable: true })
  timeoutMs!: number | null;

  @Column({ name: 'run_at', type: 'timestamptz', nullable: true })
  runAt!: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, unknown>;

  /** Labels to find the task by (`?tag=`). */
  @Column({ type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  tags!: string[];

  /** Tasks of one agent with the same key run at most the agent's `concurrencyPerKey` at once. */
  @Column({ name: 'concurrency_key', type: 'varchar', length: 200, nullable: true })
  concurrencyKey!: string | null;

  /** A task still queued at this time is never run: it ends `expired`. */
  @Column({ name: 'expire_at', type: 'timestamptz', nullable: true })
  expireAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  progress!: number;

  @Column({ name: 'progress_message', type: 'varchar', length: 500, nullable: true })
  progressMessage!: string | null;

  /** The executor's last saved state, handed to the next attempt. */
  @Column({ type: 'jsonb', nullable: true })
  checkpoint!: unknown;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  /** Set when the task is a step of a workflow run. */
  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @Column({ name: 'step_id', type: 'varchar', length: 100, nullable: true })
  stepId!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'request_hash', type: 'char', length: 64, nullable: true })
  requestHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;
}
