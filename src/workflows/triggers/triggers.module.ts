import { BullModule } from '@nestjs/bullmq';
import { AgentsModule } from '../../agents/agents.module';
import { UsersModule } from '../../users/users.module';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppRole } from '../../config/app-config';
import { TRIGGERS_QUEUE } from '../../jobs/queues';
import { TriggerDispatch } from './trigger-dispatch';
import { TriggerQueue } from './trigger-queue';
import { TriggerReconciler } from './trigger-reconciler';
import { TriggerStarter } from './trigger-starter';
import { TriggerWorker } from './trigger-worker';

/**
 * Trigger starts are queued wherever a task or a run concludes (workers, and the API for cancels); they are
 * made where APP_ROLE runs workers (the reconciler declares its roles).
 */
@Module({})
export class TriggersModule {
  static forRole(role: AppRole): DynamicModule {
    const works = role !== 'api';
    return {
      module: TriggersModule,
      imports: [UsersModule, AgentsModule, BullModule.registerQueue({ name: TRIGGERS_QUEUE })],
      providers: [TriggerQueue, TriggerDispatch, TriggerStarter, TriggerReconciler, ...(works ? [TriggerWorker] : [])],
    };
  }
}
