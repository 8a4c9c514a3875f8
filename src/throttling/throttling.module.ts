import { type ExecutionContext, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { REDIS } from '../redis/redis.module';
import type Redis from 'ioredis';
import { type RateLimitBucket, rateLimitBucket } from './rate-limit.decorator';
import { LiveRateLimiter } from './live-rate-limiter';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const MINUTE_MS = 60_000;

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, CachedReflector, REDIS],
      useFactory: (config: AppConfig, reflector: CachedReflector, redis: Redis) => {
        const limits: Record<RateLimitBucket, number> = {
          api: config.rateLimits.perMinute,
          login: config.rateLimits.loginPerMinute,
          frontendMetrics: config.rateLimits.frontendMetricsPerMinute,
        };
        return {
          storage: new RedisThrottlerStorage(redis),
          throttlers: [
            {
              name: 'default',
              ttl: MINUTE_MS,
              limit: (context: ExecutionContext) => limits[rateLimitBucket(reflector, context)],
            },
          ],
        };
      },
    }),
    AuthModule,
  ],
  providers: [RateLimitGuard, LiveRateLimiter],
  exports: [RateLimitGuard, LiveRateLimiter],
})
export class ThrottlingModule {}
