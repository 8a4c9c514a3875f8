import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService, type JwtModuleOptions } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { isStoredId } from '../common/http/ids';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Role } from './permissions';

export interface AccessClaims {
  sub: string;
  role: Role;
  /** The user's token version when issued; a later password, role or status change invalidates the token. */
  tv: number;
  /**
   * The login the token was issued for (its refresh-token family): once that login ends, the token is refused.
   * Tokens issued before the claim existed have none and are taken until they expire (JWT_ACCESS_TTL).
   */
  sid?: string;
}

/**
 * JWT settings: HS256 only, issuer and audience checked. The secret is a KeyObject: given a string,
 * jsonwebtoken parses a key on every verify, which halves the throughput of an authenticated endpoint.
 */
export function jwtOptions(config: AppConfig): JwtModuleOptions {
  return {
    secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
    signOptions: {
      algorithm: 'HS256',
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      expiresIn: config.auth.accessTtlSeconds,
    },
    verifyOptions: { algorithms: ['HS256'], issuer: config.auth.issuer, audience: config.auth.audience },
  };
}

const BEARER = /^Bearer\s+(\S+)$/i;

type Payload = Record<'sub' | 'role' | 'tv' | 'sid' | 'exp' | 'iat', unknown>;

@Injectable()
export class TokenService {
  /** Claims already verified for a request: the rate limiter and the auth guard both need them. */
  private readonly verified = new WeakMap<object, AccessClaims | null>();
  /** Tokens already verified, with their expiry. */
  private readonly known = new LRUCache<string, { claims: AccessClaims; expiresAt: number }>({ max: 10_000 });

  /** The secret before a rotation (JWT_SECRET_PREVIOUS): it verifies, never signs. */
  private readonly previous?: Buffer;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const before = config.auth.jwtPreviousSecret;
    if (before) this.previous = Buffer.from(before, 'utf8');
  }

  get accessTtlSeconds(): number {
    return this.config.auth.accessTtlSeconds;
  }

  sign(claims: AccessClaims): string {
    return this.jwt.sign({ role: claims.role, tv: claims.tv, sid: claims.sid }, { subject: claims.sub });
  }

  /** The verified claims of the request's bearer token; undefined when there is none or it is not valid. */
  claimsOf(req: { headers: { authorization?: string } }): AccessClaims | undefined {
    if (!this.verified.has(req)) {
      const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
      this.verified.set(req, (token && this.verify(token)) || null);
    }
    return this.verified.get(req) ?? undefined;
  }

  /**
   * Returns the claims of a valid token, or undefined for any bad, expired or foreign token, and for one
   * without `exp` or `iat` (jsonwebtoken checks `exp` only when present: a token that never expires would
   * otherwise be accepted forever). A token that
   * verified once is remembered (by its exact text) until it expires: its signature, issuer and audience
   * cannot change, and whether its user and its login still accept it is checked on every request anyway.
   */
  verify(token: string): AccessClaims | undefined {
    const known = this.known.get(token);
    if (known) {
      if (known.expiresAt > Date.now()) return known.claims;
      this.known.delete(token);
      return undefined;
    }
    try {
      const payload = this.payloadOf(token);
      // The user and the login are ids as the platform wrote them: anything else is no token of its own.
      if (!isStoredId(payload.sub) || typeof payload.tv !== 'number') return undefined;
      if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return undefined;
      if (payload.sid !== undefined && !isStoredId(payload.sid)) return undefined;
      const claims: AccessClaims = { sub: payload.sub, role: payload.role as Role, tv: payload.tv };
      if (payload.sid !== undefined) claims.sid = payload.sid;
      this.known.set(token, { claims, expiresAt: payload.exp * 1000 });
      return claims;
    } catch {
      return undefined;
    }
  }

  /** The payload of a token signed with the secret, or with the one before it while a rotation goes on; else throws. */
  private payloadOf(token: string): Payload {
    try {
      return this.jwt.verify<Payload>(token);
    } catch (err) {
      if (!this.previous) throw err;
      return this.jwt.verify<Payload>(token, { secret: this.previous });
    }
  }
}
