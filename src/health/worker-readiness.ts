import { Injectable } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CHECK_TIMEOUT_MS, healthResult } from './health-result';
import { RedisHealthIndicator } from './indicators/redis.health';

/**
 * A worker's readiness, for its own /health/ready on METRICS_PORT: Terminus's result with the API's indicators
 * for what a worker needs (PostgreSQL and Redis), each with the API's timeout, since a frozen server holds its
 * connection open.
 */
@Injectable()
export class WorkerReadiness {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  check() {
    return healthResult(this.health, [
      () => this.db.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
      () => this.redis.check('redis'),
    ]);
  }
}
