import { Check, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AuditFields } from './audit-log.entity';

/**
 * An audit entry written with the change it records (in the same transaction), waiting to be chained:
 * the chainer moves entries from here into `audit_logs` in batches, in `position` order, giving each its
 * `seq`, `prevHash` and `hash`. Writers never wait on each other for the chain.
 */
@Entity('audit_pending')
@Check('audit_pending_outcome_check', `"outcome" IN ('success', 'failure', 'denied')`)
@Check('audit_pending_actor_type_check', `"actor_type" IN ('user', 'apiKey', 'system')`)
export class AuditPendingEntity extends AuditFields {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'audit_pending_pk' })
  position!: string;

  @Column({ type: 'uuid' })
  id!: string;
}
