import { AgentsModule } from '../agents/agents.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BullModule } from '@nestjs/bullmq';
import { UsersModule } from '../users/users.module';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppRole } from '../config/app-config';
import { SCHEDULES_QUEUE } from '../jobs/queues';
import { ScheduleRepository } from './persistence/schedule.repository';
import { ScheduleFileReads } from './schedule-file-reads';
import { ScheduleFiring } from './schedule-firing';
import { ScheduleQueue } from './schedule-queue';
import { ScheduleSync } from './schedule-sync';
import { ScheduleWorker } from './schedule-worker';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/** Schedules everywhere; their fires only where APP_ROLE runs workers (the sync job declares its roles). */
@Module({})
export class SchedulesModule {
  static forRole(role: AppRole): DynamicModule {
    const works = role !== 'api';
    return {
      module: SchedulesModule,
      imports: [UsersModule, ApiKeysModule, AgentsModule, BullModule.registerQueue({ name: SCHEDULES_QUEUE })],
      controllers: [SchedulesController],
      providers: [
        ScheduleRepository,
        ScheduleQueue,
        SchedulesService,
        ScheduleFiring,
        ScheduleFileReads,
        ScheduleSync,
        ...(works ? [ScheduleWorker] : []),
      ],
    };
  }
}
