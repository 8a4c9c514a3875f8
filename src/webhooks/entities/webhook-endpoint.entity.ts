import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { WebhookEvent } from '../webhook-events';

/** Where a user's events are sent, which ones, and how its deliveries have been going. */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_creator_created_idx', ['createdBy', 'createdAt'])
@Index('webhook_endpoints_changed_with_key_idx', ['changedWithKeyId'], { where: `"changed_with_key_id" IS NOT NULL` })
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhook_endpoints_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'text', array: true })
  events!: WebhookEvent[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** The signing secret (`whsec_…`), sealed with SECRETS_KEY. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  /** Deliveries that failed in a row (each after all its attempts); a success resets it. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  /** When the current run of failed attempts began; null after a success. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  /** Why the platform disabled the endpoint; null when it is enabled or a user disabled it. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 200, nullable: true })
  disabledReason!: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  /** The API key that created or last changed the endpoint; null when a signed-in user did. */
  @Column({ name: 'changed_with_key_id', type: 'uuid', nullable: true })
  changedWithKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
