import { Controller, Get, HttpStatus, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { AcceptsAnyQuery } from '../common/http/declared-query.guard';
import { Public } from '../common/http/public.decorator';
import { DownReasons, healthResult } from './health-result';
import { MigrationsHealthIndicator } from './indicators/migrations.health';
import { QueueHealthIndicator } from './indicators/queue.health';
import { ReadReplicaHealthIndicator } from './indicators/read-replica.health';
import { WorkerReadiness } from './worker-readiness';

const COMPONENTS: SchemaObject = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
};

/**
 * Terminus' result: each component by name (database, redis, migrations, queues, readReplica) with its state.
 * `readReplica` is always up; its `state` is `degraded` while reads fall back to the primary.
 */
const HEALTH_RESULT: SchemaObject = {
  type: 'object',
  required: ['status', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { ...COMPONENTS, description: 'The components that are up' },
    error: { ...COMPONENTS, description: 'The components that are down' },
    details: { ...COMPONENTS, description: 'Every component' },
  },
};

/** Probes for orchestrators, in Terminus' own format (not the API envelope). */
@ApiTags('health')
@Public()
@AcceptsAnyQuery()
@SkipThrottle()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  private readonly reasons = new DownReasons();

  constructor(
    private readonly health: HealthCheckService,
    private readonly core: WorkerReadiness,
    private readonly migrations: MigrationsHealthIndicator,
    private readonly queues: QueueHealthIndicator,
    private readonly readReplica: ReadReplicaHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: 200 while the process serves' })
  @ApiResponse({ status: 200, description: 'Alive', schema: HEALTH_RESULT })
  live(@Res({ passthrough: true }) res: Response): HealthCheckResult {
    res.setHeader('Cache-Control', 'no-store');
    return { status: 'ok', info: {}, error: {}, details: {} } as HealthCheckResult;
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: Postgres, Redis and the task queue answer and migrations are applied',
  })
  @ApiResponse({ status: 200, description: 'Ready', schema: HEALTH_RESULT })
  @ApiResponse({
    status: 503,
    description: 'Not ready; each component is listed with its state',
    schema: HEALTH_RESULT,
  })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res);
  }

  @Get()
  @ApiOperation({ operationId: 'getHealth', summary: 'Every component' })
  @ApiResponse({ status: 200, description: 'Healthy', schema: HEALTH_RESULT })
  @ApiResponse({ status: 503, description: 'A component is down', schema: HEALTH_RESULT })
  all(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res);
  }

  private async run(res: Response): Promise<HealthCheckResult> {
    res.setHeader('Cache-Control', 'no-store');
    const { ok, result } = await healthResult(
      this.health,
      [
        ...this.core.checks(),
        () => this.migrations.check('migrations'),
        () => this.queues.check('queues'),
        () => this.readReplica.check('readReplica'),
      ],
      this.reasons,
    );
    if (!ok) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }
}
