import { ApiProperty } from '@nestjs/swagger';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type AuditActorType = 'user' | 'apiKey' | 'system';
export type AuditOutcome = 'success' | 'failure' | 'denied';

/** What an audit entry says; shared by chained entries and entries waiting to be chained. */
export abstract class AuditFields {
  @ApiProperty({ format: 'date-time' })
  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @ApiProperty({ enum: ['user', 'apiKey', 'system'] })
  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType!: AuditActorType;

  @ApiProperty({ nullable: true, type: String })
  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  @ApiProperty({ example: 'task.create' })
  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @ApiProperty({ nullable: true, type: String })
  @Column({ name: 'resource_type', type: 'varchar', length: 50, nullable: true })
  resourceType!: string | null;

  @ApiProperty({ nullable: true, type: String })
  @Column({ name: 'resource_id', type: 'varchar', length: 100, nullable: true })
  resourceId!: string | null;

  @ApiProperty({ enum: ['success', 'failure', 'denied'] })
  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @ApiProperty({ nullable: true, type: String })
  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @ApiProperty({ nullable: true, type: String })
  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ nullable: true, type: String })
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Secrets masked' })
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;
}

/**
 * One audit entry. The table is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and
 * hash-chained: `hash` = SHA-256 over the entry's fields and `prevHash`, in `seq` order.
 */
@Entity('audit_logs')
@Check('audit_logs_outcome_check', `"outcome" IN ('success', 'failure', 'denied')`)
@Check('audit_logs_actor_type_check', `"actor_type" IN ('user', 'apiKey', 'system')`)
@Index('audit_logs_timestamp_seq_idx', ['timestamp', 'seq'])
@Index('audit_logs_actor_seq_idx', ['actorId', 'seq'])
@Index('audit_logs_action_seq_idx', ['action', 'seq'])
@Index('audit_logs_resource_seq_idx', ['resourceType', 'resourceId', 'seq'])
@Index('audit_logs_outcome_seq_idx', ['outcome', 'seq'])
export class AuditLogEntity extends AuditFields {
  @ApiProperty({ format: 'uuid' })
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'audit_logs_pk' })
  id!: string;

  /** Position in the chain. */
  @Index('audit_logs_seq_unique', { unique: true })
  @ApiProperty({ description: 'Position in the hash chain', type: String })
  @Column({ type: 'bigint' })
  seq!: string;

  @ApiProperty({ description: 'SHA-256 of the previous entry' })
  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @ApiProperty({ description: 'SHA-256 of this entry' })
  @Column({ type: 'char', length: 64 })
  hash!: string;
}
