import { Injectable } from '@nestjs/common';
import { HealthCheckService, type HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CHECK_TIMEOUT_MS, DownReasons, healthResult } from './health-result';
import { RedisHealthIndicator } from './indicators/redis.health';

/**
 * What every process needs, PostgreSQL and Redis, each with the one timeout (a frozen server holds its
 * connection open): a worker's own /health/ready on METRICS_PORT is these checks; the API's /health adds its own.
 */
@Injectable()
export class WorkerReadiness {
  private readonly reasons = new DownReasons();

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** The database's ping and Redis's check, for a list of Terminus checks. */
  checks(): HealthIndicatorFunction[] {
    return [() => this.db.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS), () => this.redis.check('redis')];
  }

  check() {
    return healthResult(this.health, this.checks(), this.reasons);
  }
}
