import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LoginSessions, stillSignedIn } from '../auth/login-sessions';
import { permissionsOf } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../users/users.service';

export const BOARD_COOKIE = 'ymera_board';
export const BOARD_SESSION_TTL_SECONDS = 600;

interface BoardClaims {
  /** user id */
  u: string;
  /** the user's token version when issued: a password, role or status change ends the session */
  v: number;
  /** expiry, epoch seconds */
  e: number;
  /**
   * the login (`sid`) of the access token that opened the session: once that login ends, so does the session;
   * absent when that token named none, and in cookies issued before the claim existed
   */
  s?: string;
}

/**
 * Short sessions for the queue board in a browser, which cannot put a bearer token on a page load: a cookie
 * holding the user, their token version, the login of the access token that opened it and an expiry, signed
 * with HMAC-SHA256 under a key derived from JWT_SECRET (so every API instance accepts what any other issued).
 * It is checked against the user's current state and whether that login still holds on every request, like
 * an access token: signing out of the login (or its refresh tokens revoked for reuse) ends the session too.
 */
@Injectable()
export class BoardSessions {
  private readonly key: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
    @Inject(LoginSessions) private readonly logins: Pick<LoginSessions, 'isLive'>,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.auth.jwtSecret, 'ymera', 'queue-board-session', 32));
  }

  /** A session for the user, bound to `loginId` (the opening access token's `sid`) when there is one. */
  issue(
    userId: string,
    tokenVersion: number,
    loginId: string | undefined,
    now = Date.now(),
  ): { value: string; expiresAt: Date } {
    const expiresAt = new Date(now + BOARD_SESSION_TTL_SECONDS * 1000);
    const claims: BoardClaims = { u: userId, v: tokenVersion, e: Math.floor(expiresAt.getTime() / 1000) };
    if (loginId !== undefined) claims.s = loginId;
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { value: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /**
   * The caller a cookie stands for, or undefined when it is forged, expired, its user changed since or its
   * login ended. A cookie naming no login (opened with a token without `sid`, or issued before the claim
   * existed) lives until it expires.
   */
  async principalOf(value: string | undefined): Promise<Principal | undefined> {
    const claims = this.verify(value);
    if (!claims) return undefined;
    const user = await stillSignedIn(this.users, this.logins, {
      userId: claims.u,
      tokenVersion: claims.v,
      loginId: claims.s,
    });
    if (!user) return undefined;
    return { type: 'user', userId: user.id, email: user.email, role: user.role, permissions: permissionsOf(user.role) };
  }

  private verify(value: string | undefined): BoardClaims | undefined {
    const [payload, signature, ...rest] = (value ?? '').split('.');
    if (!payload || !signature || rest.length) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Partial<BoardClaims>;
      if (typeof claims.u !== 'string' || typeof claims.v !== 'number' || typeof claims.e !== 'number')
        return undefined;
      if (claims.s !== undefined && typeof claims.s !== 'string') return undefined;
      return claims.e * 1000 > Date.now() ? (claims as BoardClaims) : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
