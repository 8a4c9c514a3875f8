import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS } from '../../redis/redis.module';
import { CHECK_TIMEOUT_MS } from '../health-result';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  check(key = 'redis') {
    return this.health
      .check(key)
      .attempt(async () => {
        if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
        await this.redis.ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
