import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AuthModule } from '../auth/auth.module';
import { FilesModule } from '../files/files.module';
import type { AppRole } from '../config/app-config';
import { AgentSlots } from './agent-slots';
import { StaleLeases } from './stale-leases';
import { TaskCancellation } from './task-cancellation';
import { TaskCheckpoints } from './persistence/task-checkpoints';
import { TaskRecoveryQueries } from './persistence/task-recovery-queries';
import { TaskExpiryQueries } from './persistence/task-expiry-queries';
import { TaskExpiry } from './task-expiry';
import { TaskRetentionQueries } from './persistence/task-retention-queries';
import { TaskRetention } from './task-retention';
import { TaskWorkFileSweep } from './task-work-file-sweep';
import { TaskFlowControl } from './task-flow-control';
import { PausedTasks } from './paused-tasks';
import { KeySlots } from './key-slots';
import { TaskStateWriter } from './persistence/task-state-writer';
import { TaskStats } from './persistence/task-stats';
import { TaskBulkWrites } from './persistence/task-bulk-writes';
import { TaskBulkActions } from './task-bulk-actions';
import { TaskRepository } from './persistence/task.repository';
import { TaskLifecycle } from './task-lifecycle';
import { TASKS_QUEUE } from '../jobs/queues';
import { TaskQueue } from './task-queue';
import { TaskReconciler } from './task-reconciler';
import { TaskRunner } from './task-runner';
import { TaskWorker } from './task-worker';
import { TasksController } from './tasks.controller';
import { TaskSubmission } from './task-submission';
import { TasksService } from './tasks.service';

/** Submission and queries everywhere; the worker half only where APP_ROLE runs workers. */
@Module({})
export class TasksModule {
  static forRole(role: AppRole): DynamicModule {
    const works = role !== 'api';
    // Global, so the gateway and health checks reach the one instance (and the one worker) of this process.
    return {
      module: TasksModule,
      global: true,
      imports: [AgentsModule, AuthModule, FilesModule, BullModule.registerQueue({ name: TASKS_QUEUE })],
      controllers: [TasksController],
      providers: [
        TaskRepository,
        TaskSubmission,
        TasksService,
        TaskQueue,
        TaskCancellation,
        TaskLifecycle,
        TaskCheckpoints,
        TaskStats,
        TaskReconciler,
        TaskRecoveryQueries,
        TaskBulkWrites,
        TaskBulkActions,
        TaskExpiryQueries,
        TaskExpiry,
        TaskRetentionQueries,
        TaskRetention,
        TaskWorkFileSweep,
        ...(works
          ? [TaskRunner, TaskStateWriter, TaskWorker, AgentSlots, KeySlots, StaleLeases, TaskFlowControl, PausedTasks]
          : []),
      ],
      exports: [
        TasksService,
        TaskSubmission,
        TaskQueue,
        TaskLifecycle,
        TaskStats,
        TaskBulkActions,
        ...(works ? [TaskWorker] : []),
      ],
    };
  }
}
