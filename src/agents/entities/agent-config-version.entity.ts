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
} from 'typeorm';
import { AgentEntity } from './agent.entity';

export type ConfigVersionSource = 'create' | 'update' | 'rollback';

/** Every configuration an agent ever had; rollback writes a new version equal to an old one. */
@Entity('agent_config_versions')
@Check('agent_config_versions_source_check', `"source" IN ('create', 'update', 'rollback')`)
@Index('agent_config_versions_agent_version_unique', ['agentId', 'version'], { unique: true })
export class AgentConfigVersionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'agent_config_versions_pk' })
  id!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'agent_config_versions_agent_fk' })
  agent?: Relation<AgentEntity>;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  source!: ConfigVersionSource;

  @Column({ name: 'rolled_back_from', type: 'integer', nullable: true })
  rolledBackFrom!: number | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
