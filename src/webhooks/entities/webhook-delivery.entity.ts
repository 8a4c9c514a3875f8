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
  UpdateDateColumn,
} from 'typeorm';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import type { DeliveryAttempt, DeliveryStatus, WebhookEvent } from '../webhook-events';

/** One message to one endpoint, and its delivery log: updated by each attempt. Its id is its queue job's id. */
@Entity('webhook_deliveries')
@Check('webhook_deliveries_status_check', `"status" IN ('pending', 'succeeded', 'failed')`)
@Index('webhook_deliveries_endpoint_created_idx', ['endpointId', 'createdAt'])
@Index('webhook_deliveries_pending_idx', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('webhook_deliveries_occurrence_unique', ['endpointId', 'eventType', 'resourceId', 'occurredAt'], {
  unique: true,
  where: `"occurred_at" IS NOT NULL`,
})
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhook_deliveries_pk' })
  id!: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'webhook_deliveries_endpoint_fk' })
  endpoint?: Relation<WebhookEndpointEntity>;

  /** The `webhook-id` header: the same for every attempt, and for a redelivery of the message. */
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 40 })
  eventType!: WebhookEvent;

  /**
   * When what the event tells of happened (the task's or the run's finish): one delivery per endpoint, event
   * and occurrence. None on a redelivery.
   */
  @Column({ name: 'occurred_at', type: 'timestamptz', nullable: true })
  occurredAt!: Date | null;

  /** The task's or the run's id. */
  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId!: string;

  /** The body sent, byte for byte the same on every attempt. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'response_code', type: 'integer', nullable: true })
  responseCode!: number | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  /** Every attempt, oldest first. */
  @Column({ name: 'attempt_log', type: 'jsonb', default: () => `'[]'` })
  attemptLog!: DeliveryAttempt[];

  /** When a pending delivery is due next. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
