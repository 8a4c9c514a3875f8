import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ForbiddenError } from '../common/errors/app.error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { cookiesOf } from './cookies';
import type { TokenPairDto } from './dto/auth.dto';

export const REFRESH_COOKIE = 'ymera_refresh';
/** The cookie goes to the auth routes only (refresh, logout), never to the rest of the API. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
/**
 * Every request that reads or sets the refresh cookie must carry this header with this value: a cross-site
 * form cannot set a header, and a cross-site script cannot without a CORS preflight the API refuses.
 */
export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_HEADER_VALUE = 'ymera';

/** The refresh token of browser clients, in an HttpOnly cookie scoped to the auth routes. */
@Injectable()
export class RefreshCookie {
  private readonly secure: boolean;
  private readonly maxAgeMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secure = config.env !== 'development' && config.env !== 'test';
    this.maxAgeMs = config.auth.refreshTtlSeconds * 1000;
  }

  read(req: Request): string | undefined {
    const token = cookiesOf(req)[REFRESH_COOKIE];
    return token || undefined;
  }

  /** Refuses a request that uses the cookie without the CSRF header. */
  requireCsrfHeader(req: Request): void {
    if (req.headers[CSRF_HEADER.toLowerCase()] !== CSRF_HEADER_VALUE) {
      throw new ForbiddenError(
        `Requests that use the refresh cookie must send the header ${CSRF_HEADER}: ${CSRF_HEADER_VALUE}`,
      );
    }
  }

  /** Puts the refresh token in the cookie; the body carries the rest of the pair. */
  hand(res: Response, pair: Required<TokenPairDto>): TokenPairDto {
    res.cookie(REFRESH_COOKIE, pair.refreshToken, {
      httpOnly: true,
      secure: this.secure,
      sameSite: 'strict',
      path: REFRESH_COOKIE_PATH,
      maxAge: this.maxAgeMs,
    });
    const { refreshToken: _inCookie, ...rest } = pair;
    return rest;
  }

  clear(res: Response): void {
    res.clearCookie(REFRESH_COOKIE, {
      httpOnly: true,
      secure: this.secure,
      sameSite: 'strict',
      path: REFRESH_COOKIE_PATH,
    });
  }
}
