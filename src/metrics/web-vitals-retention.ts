import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WebVitalEntity } from './entities/web-vital.entity';

const HOUR_MS = 3_600_000;

/** On workers: deletes web-vitals reports older than WEB_VITALS_RETENTION_DAYS, at start and hourly. */
@Injectable()
export class WebVitalsRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebVitalsRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const prune = () => void this.prune().catch((err: Error) => this.logger.warn(`prune: ${err.message}`));
    prune();
    this.timer = setInterval(prune, HOUR_MS);
    this.timer.unref();
  }

  async prune(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.metrics.webVitalsRetentionDays * 24 * HOUR_MS);
    const result = await this.dataSource.getRepository(WebVitalEntity).delete({ receivedAt: LessThan(cutoff) });
    return result.affected ?? 0;
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
