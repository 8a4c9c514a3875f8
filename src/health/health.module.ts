import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MigrationsHealthIndicator } from './indicators/migrations.health';
import { QueueHealthIndicator } from './indicators/queue.health';
import { ReadReplicaHealthIndicator } from './indicators/read-replica.health';
import { RedisHealthIndicator } from './indicators/redis.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, MigrationsHealthIndicator, QueueHealthIndicator, ReadReplicaHealthIndicator],
})
export class HealthModule {}
