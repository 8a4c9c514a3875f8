import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const HOOK_AUTHS = ['hmac', 'bearer'] as const;
export type HookAuth = (typeof HOOK_AUTHS)[number];

/** A URL outside systems call to start a task of an agent or a run of a workflow, as the hook's creator. */
@Entity('inbound_hooks')
@Check('inbound_hooks_target_check', `("agent_id" IS NULL) <> ("workflow_id" IS NULL)`)
@Check('inbound_hooks_auth_check', `"auth" IN ('hmac', 'bearer')`)
@Check('inbound_hooks_secret_check', `("secret_sealed" IS NULL) <> ("token_hash" IS NULL)`)
@Index('inbound_hooks_creator_created_idx', ['createdBy', 'createdAt'])
export class InboundHookEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'inbound_hooks_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId!: string | null;

  @Column({ name: 'workflow_id', type: 'uuid', nullable: true })
  workflowId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  auth!: HookAuth;

  /** hmac: the signing secret (`whsec_…`), sealed with SECRETS_KEY (the check needs it back). */
  @Column({ name: 'secret_sealed', type: 'text', nullable: true })
  secretSealed!: string | null;

  /** bearer: the SHA-256 (hex) of the token; the token itself is never stored. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, nullable: true })
  tokenHash!: string | null;

  /** The input made of each call (templates over `body`); null: the body is the input. */
  @Column({ name: 'input_template', type: 'jsonb', nullable: true })
  inputTemplate!: unknown;

  @Column({ name: 'rate_limit_per_minute', type: 'integer', default: 60 })
  rateLimitPerMinute!: number;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
