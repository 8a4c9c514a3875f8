import { type ExecutionContext, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { RATE_WINDOW_MS, type RateLimitBucket, rateLimitBucket } from './rate-limit.decorator';
import { LiveRateLimiter } from './live-rate-limiter';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, CachedReflector, RedisConnectionFactory],
      useFactory: (config: AppConfig, reflector: CachedReflector, connections: RedisConnectionFactory) => {
        const limits: Record<RateLimitBucket, number> = {
          api: config.rateLimits.perMinute,
          login: config.rateLimits.loginPerMinute,
          frontendMetrics: config.rateLimits.frontendMetricsPerMinute,
        };
        return {
          // A connection of its own, which answers at once while Redis is away (see RATE_LIMIT_COMMAND_TIMEOUT_MS).
          storage: new RedisThrottlerStorage(connections.create('throttler')),
          throttlers: [
            {
              name: 'default',
              ttl: RATE_WINDOW_MS,
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
