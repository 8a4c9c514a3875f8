import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { TaskEntity } from './task.entity';

/** One part of a task's checkpoint, saved by an executor as its attempt goes on; read back in `seq` order. */
@Entity('task_checkpoint_parts')
export class TaskCheckpointPartEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid', primaryKeyConstraintName: 'task_checkpoint_parts_pk' })
  taskId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'task_checkpoint_parts_pk' })
  seq!: number;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'task_checkpoint_parts_task_fk' })
  task?: Relation<TaskEntity>;

  @Column({ type: 'jsonb' })
  part!: unknown;
}
