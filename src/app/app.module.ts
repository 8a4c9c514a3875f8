import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '../auth/auth.guard';
import { RateLimitGuard } from '../throttling/rate-limit.guard';
import { AgentsModule } from '../agents/agents.module';
import { QueueModule } from '../queue/queue.module';
import { QueueBoardModule } from '../queue/queue-board.module';
import { StatsModule } from '../stats/stats.module';
import { TasksModule } from '../tasks/tasks.module';
import { EventsModule } from '../events/events.module';
import { EventBusModule } from '../events/event-bus.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ApiKeysHttpModule } from '../api-keys/api-keys-http.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { CommonModule } from '../common/common.module';
import { DeclaredQueryGuard } from '../common/http/declared-query.guard';
import { ConsoleModule } from '../console/console.module';
import { ProcessModule } from '../common/process/process.module';
import { CryptoModule } from '../common/crypto/crypto.module';
import { MetadataModule } from '../common/metadata/metadata.module';
import { ThrottlingModule } from '../throttling/throttling.module';
import { SystemModule } from '../system/system.module';
import { UsersModule } from '../users/users.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { HooksModule } from '../hooks/hooks.module';
import { TriggersModule } from '../workflows/triggers/triggers.module';
import { JobsModule } from '../jobs/jobs.module';
import { BulkModule } from '../bulk/bulk.module';
import { FilesHttpModule } from '../files/files-http.module';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { LoggingModule } from '../logging/logging.module';
import { RedisModule } from '../redis/redis.module';

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
        ProcessModule,
        MetadataModule,
        DatabaseModule,
        RedisModule,
        EventBusModule,
        CryptoModule,
        MetricsModule.forRole(config.role),
        AuditModule,
        UsersModule,
        AgentsModule,
        QueueModule,
        TasksModule.forRole(config.role),
        WorkflowsModule,
        SchedulesModule.forRole(config.role),
        WebhooksModule.forRole(config.role),
        BulkModule.forRole(config.role),
        HooksModule.forRole(config.role),
        TriggersModule.forRole(config.role),
        JobsModule,
        ...(serves
          ? [
              CommonModule,
              AuthModule,
              ThrottlingModule,
              ApiKeysHttpModule,
              HealthModule,
              EventsModule,
              SystemModule,
              ConsoleModule,
              QueueBoardModule,
              StatsModule,
              FilesHttpModule,
            ]
          : []),
      ],
      // Rate limits first (floods of bad credentials count too), then authentication and permissions, then the
      // query keys of routes that take no query DTO (the pipe checks the others).
      providers: serves
        ? [
            { provide: APP_GUARD, useExisting: RateLimitGuard },
            { provide: APP_GUARD, useExisting: AuthGuard },
            { provide: APP_GUARD, useClass: DeclaredQueryGuard },
          ]
        : [],
    };
  }
}
