import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppRole } from '../config/app-config';
import { BULK_QUEUE } from '../jobs/queues';
import { WorkflowsModule } from '../workflows/workflows.module';
import { BulkOperationsController } from './bulk-operations.controller';
import { BulkOperationsService } from './bulk-operations.service';
import { BulkQueue } from './bulk-queue';
import { BulkReconciler } from './bulk-reconciler';
import { BulkRunner } from './bulk-runner';
import { BulkTargets } from './bulk-targets';
import { BulkWorker } from './bulk-worker';
import { BulkOperationRepository } from './persistence/bulk-operation.repository';

/** Bulk retry and cancel of tasks and runs everywhere; their jobs only where APP_ROLE runs workers. */
@Module({})
export class BulkModule {
  static forRole(role: AppRole): DynamicModule {
    const works = role !== 'api';
    return {
      module: BulkModule,
      imports: [WorkflowsModule, BullModule.registerQueue({ name: BULK_QUEUE })],
      controllers: [BulkOperationsController],
      providers: [
        BulkOperationRepository,
        BulkOperationsService,
        BulkQueue,
        BulkTargets,
        BulkRunner,
        BulkReconciler,
        ...(works ? [BulkWorker] : []),
      ],
    };
  }
}
