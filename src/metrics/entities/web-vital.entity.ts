import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const WEB_VITAL_NAMES = ['CLS', 'LCP', 'FID', 'INP', 'FCP', 'TTFB'] as const;
export type WebVitalName = (typeof WEB_VITAL_NAMES)[number];

/** One web-vitals report from a browser; pruned after WEB_VITALS_RETENTION_DAYS. */
@Entity('web_vitals')
@Index('web_vitals_received_at_idx', ['receivedAt'])
@Index('web_vitals_name_received_idx', ['name', 'receivedAt'])
export class WebVitalEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'web_vitals_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  name!: WebVitalName;

  @Column({ type: 'double precision' })
  value!: number;

  @Column({ type: 'varchar', length: 20, nullable: true })
  rating!: string | null;

  @Column({ name: 'metric_id', type: 'varchar', length: 100 })
  metricId!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 100, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  @Column({ name: 'reported_at', type: 'timestamptz', nullable: true })
  reportedAt!: Date | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
