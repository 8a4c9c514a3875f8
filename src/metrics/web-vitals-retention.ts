import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { WebVitalEntity } from './entities/web-vital.entity';

const HOUR_MS = 3_600_000;

/** Deletes web-vitals reports older than WEB_VITALS_RETENTION_DAYS, once an hour across the workers. */
@PeriodicJob({ name: 'metrics.web-vitals-retention', everyMs: HOUR_MS, roles: WORKER_ROLES })
@Injectable()
export class WebVitalsRetention implements PeriodicJobHandler {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  run(): Promise<number> {
    return this.prune();
  }

  async prune(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.metrics.webVitalsRetentionDays * 24 * HOUR_MS);
    const result = await this.dataSource.getRepository(WebVitalEntity).delete({ receivedAt: LessThan(cutoff) });
    return result.affected ?? 0;
  }
}
