import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { AgentEntity } from './agent.entity';

/** The state document an agent keeps between tasks (one per agent, replaced on each save). */
@Entity('agent_states')
export class AgentStateEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid', primaryKeyConstraintName: 'agent_states_pk' })
  agentId!: string;

  @OneToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'agent_states_agent_fk' })
  agent?: Relation<AgentEntity>;

  @Column({ type: 'jsonb' })
  state!: unknown;

  @Column({ name: 'saved_at', type: 'timestamptz' })
  savedAt!: Date;
}
