import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from './common/common.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { RedisModule } from './redis/redis.module';

/** The whole application; `config.role` decides which halves (HTTP API, queue workers) are wired in. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const serves = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        RedisModule,
        ...(serves ? [CommonModule, HealthModule] : []),
      ],
    };
  }
}
