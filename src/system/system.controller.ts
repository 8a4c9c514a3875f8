import { Controller, Get, Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsGateway } from '../events/events.gateway';
import { TASKS_QUEUE } from '../jobs/queues';
import { TaskQueue } from '../tasks/task-queue';
import { APP_VERSION } from '../version';

class SystemInfoDto {
  @ApiProperty() version!: string;
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ enum: ['api', 'worker', 'all'] }) role!: string;
  @ApiProperty() nodeVersion!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Job counts by state, per queue' })
  queues!: Record<string, Record<string, number>>;
  @ApiProperty({ description: 'Workers connected to the task queue, across all processes' }) workers!: number;
  @ApiProperty({ description: 'Socket.IO clients connected to this instance' }) wsConnections!: number;
}

@ApiTags('system')
@ApiBearerAuth('bearer')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('system:read')
@Controller('system')
export class SystemController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get('info')
  @ApiOperation({
    operationId: 'getSystemInfo',
    summary: 'Version, uptime, role, queues, workers and live connections (admins)',
  })
  @ApiEnvelope(SystemInfoDto)
  async info(): Promise<SystemInfoDto> {
    const queue = this.moduleRef.get(TaskQueue, { strict: false }).queue;
    const [counts, workers] = await Promise.all([
      queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
      queue.getWorkersCount(),
    ]);
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
      queues: { [TASKS_QUEUE]: counts },
      workers,
      wsConnections,
    };
  }
}
