import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One tag of a task, with the task's agent and creation time, for a list filtered by a tag and an agent: the
 * matches (within a time range) are one range of `task_tags_tag_agent_created_idx`, read from the index alone.
 * Written by the trigger `tasks_tag_rows` in the statement that stores the task (migration TaskTagRows), never by
 * the application; a task's tags, agent and creation time never change. Its rows go with it, deleted by the
 * statement trigger `tasks_tag_rows_gone` (migration TaskTagsGoneByStatement), not a foreign key: a key's cascade
 * probed this table once per deleted task, tagged or not.
 */
@Entity('task_tags')
@Index('task_tags_tag_agent_created_idx', ['tag', 'agentId', 'createdAt', 'taskId'])
export class TaskTagEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid', primaryKeyConstraintName: 'task_tags_pk' })
  taskId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'task_tags_pk' })
  tag!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
