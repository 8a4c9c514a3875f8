import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Authenticator } from '../auth/authenticator';
import { TokenService } from '../auth/token.service';
import { IS_PUBLIC } from '../common/http/public.decorator';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { Metrics } from '../metrics/metrics.service';
import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { RATE_WINDOW_MS, rateLimitBucket } from './rate-limit.decorator';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** The 429 of a spent budget, with the budget's headers as on every answer within it, none left until it ends. */
function rateLimited(limit: number, timeToBlockExpire: number): AppError {
  const retryAfter = String(Math.max(1, timeToBlockExpire));
  return new AppError(ErrorCode.RATE_LIMITED, 'Too many requests; slow down', undefined, {
    'Retry-After': retryAfter,
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': retryAfter,
  });
}

/** The key of a caller's `api` budget in the store. */
const apiBudgetKey = (tracker: string): string => `api:${tracker}`;

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  /**
   * A request refused before any route runs (a body that is not JSON, too large or of another type, a malformed
   * URL) counts against its caller's API budget as any request does; else such requests, which still have their
   * bodies read, would be a way round the limit. Its answer gets the budget's headers; once the budget is spent,
   * the 429 to answer instead is returned. A caller is known by a valid access token, else by address.
   */
  async chargeRefused(req: Request, res: Response): Promise<AppError | undefined> {
    // No API key is looked up for a request no route took: it is charged to its token's user or its address.
    const key = apiBudgetKey(await this.userOrAddress(req));
    const limit = this.config.rateLimits.perMinute;
    const hit = await this.storageService.increment(key, RATE_WINDOW_MS, limit, RATE_WINDOW_MS, 'default');
    if (hit.isBlocked) {
      this.metrics.rateLimited();
      return rateLimited(limit, hit.timeToBlockExpire);
    }
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - hit.totalHits)));
    res.setHeader('X-RateLimit-Reset', String(hit.timeToExpire));
    return undefined;
  }

  /** Socket.IO connections and messages are not HTTP requests: they count against the live budget (LiveRateLimiter). */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, unknown>, context?: ExecutionContext): Promise<string> {
    const request = req as unknown as Request;
    // The auth guard reads an API key only when there is no Authorization header, and not at all on public
    // routes or in the per-IP budgets: a key is not looked up where it would not be used.
    if (!request.headers.authorization && request.headers['x-api-key'] && context && this.keyCounts(context)) {
      const key = await this.authenticator.apiKeyOf(request);
      if (key) return `key:${key.prefix}`;
    }
    return this.userOrAddress(request);
  }

  /** The caller a valid access token names (`user:<id>`), else its address (`ip:<address>`). */
  private async userOrAddress(req: Request): Promise<string> {
    const claims = this.tokens.claimsOf(req);
    return claims ? `user:${claims.sub}` : `ip:${await super.getTracker(req as never)}`;
  }

  private keyCounts(context: ExecutionContext): boolean {
    if (rateLimitBucket(this.reflector, context) !== 'api') return false;
    return !this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    const bucket = rateLimitBucket(this.reflector, context);
    if (bucket === 'api') return apiBudgetKey(tracker);
    const req = context.switchToHttp().getRequest<Request>();
    return `${bucket}:ip:${req.ip ?? 'unknown'}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.metrics.rateLimited();
    throw rateLimited(detail.limit, detail.timeToBlockExpire);
  }
}
