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
import { TokenService } from '../auth/token.service';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { Metrics } from '../metrics/metrics.service';
import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { rateLimitBucket } from './rate-limit.decorator';

const API_KEY_PREFIX = /^(ymk_[A-Za-z0-9]{12})_/;

/**
 * Runs before authentication, so floods of bad credentials are limited too: a caller with a valid access
 * token is limited per user, one presenting an API key per key, anyone else per client IP (TRUST_PROXY
 * decides whether that comes from X-Forwarded-For). Login and frontend metrics have budgets of their own,
 * always per IP.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: CachedReflector,
    private readonly tokens: TokenService,
    private readonly metrics: Metrics,
  ) {
    super(options, storage, reflector);
  }

  /** Socket.IO messages are not HTTP requests; connections are authenticated at the handshake instead. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const claims = this.tokens.claimsOf(request);
    if (claims) return `user:${claims.sub}`;
    const apiKey = request.headers['x-api-key'];
    const prefix = typeof apiKey === 'string' ? API_KEY_PREFIX.exec(apiKey)?.[1] : undefined;
    if (prefix) return `key:${prefix}`;
    return `ip:${await super.getTracker(req)}`;
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
    throw new AppError(ErrorCode.RATE_LIMITED, 'Too many requests; slow down', undefined, {
      'Retry-After': String(Math.max(1, detail.timeToBlockExpire)),
    });
  }
}
