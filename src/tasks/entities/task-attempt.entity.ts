import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { TaskError } from '../task';
import { TaskEntity } from './task.entity';

export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A worker an attempt ran on before another took it over (its own stopped responding, or stopped and handed it back). */
export interface AttemptTakeover {
  workerId: string;
  startedAt: string;
}

@Entity('task_attempts')
@Check('task_attempts_status_check', `"status" IN ('running', 'succeeded', 'failed', 'cancelled')`)
@Index('task_attempts_task_attempt_unique', ['taskId', 'attempt'], { unique: true })
// The open attempts, for the reconciler's search of those whose task ended without closing them.
@Index('task_attempts_open_idx', ['taskId', 'attempt'], { where: `"status" = 'running'` })
export class TaskAttemptEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'task_attempts_pk' })
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'task_attempts_task_fk' })
  task?: Relation<TaskEntity>;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: AttemptStatus;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  error!: TaskError | null;

  @Column({ name: 'worker_id', type: 'varchar', length: 200 })
  workerId!: string;

  /** The workers the attempt ran on before `workerId` took it over, oldest first. */
  @Column({ name: 'taken_over_from', type: 'jsonb', default: () => "'[]'" })
  takenOverFrom!: AttemptTakeover[];
}
