import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type AgentStatus = 'active' | 'paused';

@Entity('agents')
@Check('agents_status_check', `"status" IN ('active', 'paused')`)
@Check('agents_limits_check', `"concurrency" >= 1 AND "timeout_ms" >= 100`)
@Check('agents_concurrency_per_key_check', `"concurrency_per_key" >= 1`)
@Index('agents_type_status_idx', ['type', 'status'])
@Index('agents_name_unique', ['name'], { unique: true, where: '"deleted_at" IS NULL' })
@Index('agents_created_at_idx', ['createdAt'])
@Index('agents_creator_idx', ['createdBy'], { where: '"deleted_at" IS NULL' })
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'agents_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 50 })
  type!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: AgentStatus;

  /** The current configuration, secret fields sealed (AES-256-GCM). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config!: Record<string, unknown>;

  @Column({ name: 'config_version', type: 'integer', default: 1 })
  configVersion!: number;

  @Column({ type: 'integer', default: 1 })
  concurrency!: number;

  /** Tasks of this agent with the same concurrency key running at once; null: no limit per key. */
  @Column({ name: 'concurrency_per_key', type: 'integer', nullable: true })
  concurrencyPerKey!: number | null;

  @Column({ name: 'timeout_ms', type: 'integer', default: 60_000 })
  timeoutMs!: number;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Soft delete: the agent and its history stay, but it takes no new tasks. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
