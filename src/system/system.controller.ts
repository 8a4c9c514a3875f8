import { Controller, Get, Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsGateway } from '../events/events.gateway';
import type { QueueName } from '../jobs/queues';
import { type JobCounts, QueueCounts } from '../queue/queue-counts';
import { TaskQueue } from '../tasks/task-queue';
import { APP_VERSION } from '../version';

class QueueJobCountsDto implements JobCounts {
  @ApiProperty() waiting!: number;
  @ApiProperty() prioritized!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty({ description: 'Finished jobs kept for inspection (QUEUE_KEEP_COMPLETED)' }) completed!: number;
  @ApiProperty({ description: 'Failed jobs kept for inspection' }) failed!: number;
}

/** One entry per queue (src/jobs/queues.ts): a queue added there must be added here, or this does not compile. */
class JobCountsByQueueDto implements Record<QueueName, JobCounts> {
  @ApiProperty({ description: 'One job per task' }) tasks!: QueueJobCountsDto;
  @ApiProperty({ description: 'Schedule fires' }) schedules!: QueueJobCountsDto;
  @ApiProperty({ description: 'Webhook deliveries; a delivery waiting to be retried is delayed' })
  webhooks!: QueueJobCountsDto;
  @ApiProperty({ description: 'Workflow wait and approval-deadline steps falling due' })
  'workflow-waits'!: QueueJobCountsDto;
  @ApiProperty({ description: 'Workflow runs started by triggers' }) 'workflow-triggers'!: QueueJobCountsDto;
  @ApiProperty({ description: 'Bulk retry and cancel operations' }) 'bulk-operations'!: QueueJobCountsDto;
  @ApiProperty({ description: 'Periodic jobs of the workers (reconcilers, retention, sweeps)' })
  maintenance!: QueueJobCountsDto;
}

class SystemInfoDto {
  @ApiProperty() version!: string;
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ enum: ['api', 'worker', 'all'] }) role!: string;
  @ApiProperty() nodeVersion!: string;
  @ApiProperty({ description: 'Job counts by state, per queue' }) queues!: JobCountsByQueueDto;
  @ApiProperty({ description: 'Workers connected to the task queue, across all processes' }) workers!: number;
  @ApiProperty({ description: 'Socket.IO clients connected to this instance' }) wsConnections!: number;
}

@ApiTags('system')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('system:read')
@Controller('system')
export class SystemController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queueCounts: QueueCounts,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get('info')
  @ApiOperation({
    operationId: 'getSystemInfo',
    summary: 'Version, uptime, role, every queue, workers and live connections (admins)',
  })
  @ApiEnvelope(SystemInfoDto)
  async info(): Promise<SystemInfoDto> {
    const queue = this.moduleRef.get(TaskQueue, { strict: false }).queue;
    const [queues, workers] = await Promise.all([this.queueCounts.all(), queue.getWorkersCount()]);
    let wsConnections = 0;
    try {
      wsConnections = this.moduleRef.get(EventsGateway, { strict: false }).connections;
    } catch {
      // No gateway in this process.
    }
    return {
      version: APP_VERSION,
      uptimeSeconds: Math.round(process.uptime()),
      role: this.config.role,
      nodeVersion: process.version,
      queues,
      workers,
      wsConnections,
    };
  }
}
