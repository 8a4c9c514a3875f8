import { type ExecutionContext, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { Authenticator } from '../auth/authenticator';
import { TokenService } from '../auth/token.service';
import { IS_PUBLIC } from '../common/http/public.decorator';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { Metrics } from '../metrics/metrics.service';
import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { rateLimitBucket } from './rate-limit.decorator';

/**
 * Runs before authentication, so floods of bad credentials are limited too: a caller with a valid access
 * token is limited per user, one presenting a valid API key per key, anyone else (including a made-up or
 * wrong key) per client IP (TRUST_PROXY decides whether that comes from X-Forwarded-For). The key is
 * verified here once and the auth guard reuses the result, so this costs no extra lookup. Login and
 * frontend metrics have budgets of their own, always per IP; public routes are limited per IP too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: CachedReflector,
    private readonly tokens: TokenService,
    private readonly authenticator: Authenticator,
    private readonly metrics: Metrics,
  ) {
    super(options, storage, reflector);
  }

  /** Socket.IO connections and messages are not HTTP requests: they count against the live budget (LiveRateLimiter). */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, unknown>, context?: ExecutionContext): Promise<string> {
    const request = req as unknown as Request;
    const claims = this.tokens.claimsOf(request);
    if (claims) return `user:${claims.sub}`;
    // The auth guard reads an API key only when there is no Authorization header, and not at all on public
    // routes or in the per-IP budgets: a key is not looked up where it would not be used.
    if (!request.headers.authorization && request.headers['x-api-key'] && context && this.keyCounts(context)) {
      const key = await this.authenticator.apiKeyOf(request);
      if (key) return `key:${key.prefix}`;
    }
    return `ip:${await super.getTracker(req)}`;
  }

  private keyCounts(context: ExecutionContext): boolean {
    if (rateLimitBucket(this.reflector, context) !== 'api') return false;
    return !this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    const bucket = rateLimitBucket(this.reflector, context);
    if (bucket === 'api') return `api:${tracker}`;
    const req = context.switchToHttp().getRequest<Request>();
    return `${bucket}:ip:${req.ip ?? 'unknown'}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.metrics.rateLimited();
    const retryAfter = String(Math.max(1, detail.timeToBlockExpire));
    // The budget's headers as on every answer within it, none left until the block ends.
    throw new AppError(ErrorCode.RATE_LIMITED, 'Too many requests; slow down', undefined, {
      'Retry-After': retryAfter,
      'X-RateLimit-Limit': String(detail.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': retryAfter,
    });
  }
}
