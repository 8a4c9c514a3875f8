import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { StepState } from './workflow-run.entity';
import { WorkflowRunEntity } from './workflow-run.entity';

/**
 * One step's state in one run, a row of its own: advancing a run of 500 steps reads and writes the rows of the
 * steps one event touched, never a document of all 500.
 */
@Entity('workflow_run_steps')
export class WorkflowRunStepEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid', primaryKeyConstraintName: 'workflow_run_steps_pk' })
  runId!: string;

  @PrimaryColumn({ name: 'step_id', type: 'varchar', length: 100, primaryKeyConstraintName: 'workflow_run_steps_pk' })
  stepId!: string;

  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'workflow_run_steps_run_fk' })
  run?: Relation<WorkflowRunEntity>;

  @Column({ type: 'jsonb' })
  state!: StepState;
}
