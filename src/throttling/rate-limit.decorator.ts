import { SetMetadata } from '@nestjs/common';

/** Budgets, each per client per minute: `api` for everything, `login` and `frontendMetrics` for their routes. */
export type RateLimitBucket = 'api' | 'login' | 'frontendMetrics';

export const RATE_LIMIT_BUCKET = 'ymera:rate-limit-bucket';
export const RateLimit = (bucket: RateLimitBucket): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_BUCKET, bucket);
