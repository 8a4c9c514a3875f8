import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The one row that tells which REDIS_PREFIX the database's processes share (see redis-prefix-check.ts), written
 * by the first process that starts on the database.
 */
@Entity('redis_prefix_check')
@Check('redis_prefix_check_single', `"id" = 1`)
export class RedisPrefixCheckEntity {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'redis_prefix_check_pk' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  prefix!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
