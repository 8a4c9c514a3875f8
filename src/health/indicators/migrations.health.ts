import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { CHECK_TIMEOUT_MS } from '../health-result';

/** Ready only once every migration this build knows has been applied. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  check(key = 'migrations') {
    return this.health
      .check(key)
      .attempt(async () => {
        const pending = await this.dataSource.showMigrations();
        if (pending) throw new Error('migrations are pending: run npm run migration:run');
        return { applied: this.dataSource.migrations.length };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
