import { Global, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source-options';
import { ReadDatabase, REPLICA_LAG_METRIC } from './read-database';
import { ReadRouting } from './read-routing';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), retryAttempts: 3, retryDelay: 1000 }),
    }),
  ],
  providers: [
    ReadDatabase,
    ReadRouting,
    makeGaugeProvider({
      name: REPLICA_LAG_METRIC,
      help: 'Replay lag of the read replica (DATABASE_READ_URL) at its last check; -1 while it cannot be reached',
    }),
  ],
  exports: [ReadDatabase],
})
export class DatabaseModule implements NestModule {
  constructor(private readonly routing: ReadRouting) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.routing.enabled) consumer.apply(this.routing.middleware).forRoutes('{*path}');
  }
}
