import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type ValueTransformer,
} from 'typeorm';

export const SCHEDULE_OVERLAPS = ['allow', 'skip'] as const;
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAPS)[number];

const msFromBigint: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A schedule: what it starts (an agent's task or a workflow's run) and when. */
@Entity('schedules')
@Check('schedules_target_check', `("agent_id" IS NULL) <> ("workflow_id" IS NULL)`)
@Check('schedules_timing_check', `("cron" IS NULL) <> ("every_ms" IS NULL)`)
@Check('schedules_overlap_check', `"overlap" IN ('allow', 'skip')`)
@Index('schedules_creator_created_idx', ['createdBy', 'createdAt'])
@Index('schedules_changed_with_key_idx', ['changedWithKeyId'], { where: `"changed_with_key_id" IS NOT NULL` })
export class ScheduleEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'schedules_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId!: string | null;

  @Column({ name: 'workflow_id', type: 'uuid', nullable: true })
  workflowId!: string | null;

  /** Given to each task the schedule makes. */
  @Column({ type: 'varchar', length: 64, array: true, default: () => "'{}'" })
  tags!: string[];

  /** The task's or the run's input, as each fire sends it. */
  @Column({ type: 'jsonb' })
  input!: unknown;

  @Column({ type: 'varchar', length: 120, nullable: true })
  cron!: string | null;

  // Up to 366 days of milliseconds, beyond an integer's range; as a number (exact far below 2^53).
  @Column({ name: 'every_ms', type: 'bigint', nullable: true, transformer: msFromBigint })
  everyMs!: number | null;

  @Column({ type: 'varchar', length: 64 })
  timezone!: string;

  @Column({ name: 'start_at', type: 'timestamptz', nullable: true })
  startAt!: Date | null;

  @Column({ name: 'end_at', type: 'timestamptz', nullable: true })
  endAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  /** Why the platform paused the schedule; null when it runs or a user paused it. */
  @Column({ name: 'paused_reason', type: 'varchar', length: 200, nullable: true })
  pausedReason!: string | null;

  @Column({ type: 'varchar', length: 8 })
  overlap!: ScheduleOverlap;

  /** Fires up to this instant have been handled (made, skipped for overlap, or passed over while paused). */
  @Column({ name: 'fired_until', type: 'timestamptz' })
  firedUntil!: Date;

  /** What the last fire made: a task id or a run id, by the target's kind. */
  @Column({ name: 'last_target_id', type: 'uuid', nullable: true })
  lastTargetId!: string | null;

  @Column({ name: 'last_fire_at', type: 'timestamptz', nullable: true })
  lastFireAt!: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  /** The API key that created or last changed the schedule; null when a signed-in user did. */
  @Column({ name: 'changed_with_key_id', type: 'uuid', nullable: true })
  changedWithKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
