import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '../audit/audit-request';
import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { RATE_LIMIT_BUCKET, type RateLimitBucket } from './rate-limit.decorator';

/**
 * Runs after authentication: a signed-in caller is limited per user (or per API key), anyone else per
 * client IP (TRUST_PROXY decides whether that comes from X-Forwarded-For). Login and frontend metrics have
 * budgets of their own, always per IP.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as unknown as AuthenticatedRequest).principal;
    if (principal) return principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
    return `ip:${await super.getTracker(req)}`;
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    const bucket = this.bucketOf(context);
    return bucket === 'api' ? `api:${tracker}` : `${bucket}:${tracker.replace(/^(user|key):.*/, 'ip')}`;
  }

  bucketOf(context: ExecutionContext): RateLimitBucket {
    return (
      this.reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_BUCKET, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'api'
    );
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppError(ErrorCode.RATE_LIMITED, 'Too many requests; slow down', undefined, {
      'Retry-After': String(Math.max(1, detail.timeToBlockExpire)),
    });
  }
}
