import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source-options';
import { ReadDatabase, REPLICA_LAG_METRIC } from './read-database';
import { ReadRoutingInterceptor } from './read-routing.interceptor';

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
    makeGaugeProvider({
      name: REPLICA_LAG_METRIC,
      help: 'Replay lag of the read replica (DATABASE_READ_URL) at its last check; -1 while it cannot be reached',
    }),
    { provide: APP_INTERCEPTOR, useClass: ReadRoutingInterceptor },
  ],
  exports: [ReadDatabase],
})
export class DatabaseModule {}
