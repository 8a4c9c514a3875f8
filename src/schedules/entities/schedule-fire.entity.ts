import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { ScheduleEntity } from './schedule.entity';

export const FIRE_OUTCOMES = ['made', 'skipped-overlap', 'failed'] as const;
export type FireRecordOutcome = (typeof FIRE_OUTCOMES)[number];

/** A handled fire of a schedule: the task or run it made, or why it made none. */
@Entity('schedule_fires')
@Check('schedule_fires_outcome_check', `"outcome" IN ('made', 'skipped-overlap', 'failed')`)
export class ScheduleFireEntity {
  @PrimaryColumn({ name: 'schedule_id', type: 'uuid', primaryKeyConstraintName: 'schedule_fires_pk' })
  scheduleId!: string;

  @ManyToOne(() => ScheduleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'schedule_id', foreignKeyConstraintName: 'schedule_fires_schedule_fk' })
  schedule?: Relation<ScheduleEntity>;

  @PrimaryColumn({ name: 'fire_at', type: 'timestamptz', primaryKeyConstraintName: 'schedule_fires_pk' })
  fireAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  outcome!: FireRecordOutcome;

  /** The task or run the fire made (by the schedule's target kind). */
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId!: string | null;

  /** The error code of a refused fire (the agent or workflow gone, the input no longer valid). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  error!: string | null;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt!: Date;
}
