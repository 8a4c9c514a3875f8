import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The one row that tells which SECRETS_KEY sealed the database's secrets: the key's fingerprint (see
 * secrets-key-check.ts), written by the first process that starts on the database.
 */
@Entity('secrets_key_check')
@Check('secrets_key_check_single', `"id" = 1`)
export class SecretsKeyCheckEntity {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'secrets_key_check_pk' })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
