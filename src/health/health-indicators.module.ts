import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MigrationsHealthIndicator } from './indicators/migrations.health';
import { QueueHealthIndicator } from './indicators/queue.health';
import { ReadReplicaHealthIndicator } from './indicators/read-replica.health';
import { RedisHealthIndicator } from './indicators/redis.health';
import { WorkerReadiness } from './worker-readiness';

const INDICATORS = [RedisHealthIndicator, MigrationsHealthIndicator, QueueHealthIndicator, ReadReplicaHealthIndicator];

/**
 * Terminus and this platform's indicators: the one place a dependency's health is checked, used by the API's
 * /health routes and by a worker's own /health/ready on METRICS_PORT.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  providers: [...INDICATORS, WorkerReadiness],
  exports: [TerminusModule, ...INDICATORS, WorkerReadiness],
})
export class HealthIndicatorsModule {}
