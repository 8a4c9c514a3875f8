import { type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/** Budgets, each per client per minute: `api` for everything, `login` and `frontendMetrics` for their routes. */
export type RateLimitBucket = 'api' | 'login' | 'frontendMetrics';

/** The window every budget, HTTP and live, is counted over. */
export const RATE_WINDOW_MS = 60_000;

export const RATE_LIMIT_BUCKET = 'ymera:rate-limit-bucket';
export const RateLimit = (bucket: RateLimitBucket): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_BUCKET, bucket);

/** The budget a route counts against: its own @RateLimit, or `api`. */
export function rateLimitBucket(reflector: Reflector, context: ExecutionContext): RateLimitBucket {
  return (
    reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_BUCKET, [
      context.getHandler(),
      context.getClass(),
    ]) ?? 'api'
  );
}
