import { Controller, Get, HttpStatus, Res, ServiceUnavailableException, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../common/http/public.decorator';
import { MigrationsHealthIndicator } from './indicators/migrations.health';
import { QueueHealthIndicator } from './indicators/queue.health';
import { RedisHealthIndicator } from './indicators/redis.health';

/** Probes for orchestrators, in Terminus' own format (not the API envelope). */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
    private readonly queues: QueueHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves' })
  @ApiResponse({ status: 200, description: 'Alive' })
  live(): HealthCheckResult {
    return { status: 'ok', info: {}, error: {}, details: {} } as HealthCheckResult;
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Postgres, Redis and the task queue answer and migrations are applied' })
  @ApiResponse({ status: 200, description: 'Ready' })
  @ApiResponse({ status: 503, description: 'Not ready; each component is listed with its state' })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res);
  }

  @Get()
  @ApiOperation({ summary: 'Every component' })
  @ApiResponse({ status: 200, description: 'Healthy' })
  @ApiResponse({ status: 503, description: 'A component is down' })
  all(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res);
  }

  private async run(res: Response): Promise<HealthCheckResult> {
    res.setHeader('Cache-Control', 'no-store');
    try {
      return await this.health.check([
        () => this.db.pingCheck('database').withTimeout(1500),
        () => this.redis.check('redis'),
        () => this.migrations.check('migrations'),
        () => this.queues.check('queues'),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return err.getResponse() as HealthCheckResult;
    }
  }
}
