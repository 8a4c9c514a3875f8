import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService, type JwtModuleOptions } from '@nestjs/jwt';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Role } from './permissions';

export interface AccessClaims {
  sub: string;
  role: Role;
  /** The user's token version when issued; a later password, role or status change invalidates the token. */
  tv: number;
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

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get accessTtlSeconds(): number {
    return this.config.auth.accessTtlSeconds;
  }

  sign(claims: AccessClaims): string {
    return this.jwt.sign({ role: claims.role, tv: claims.tv }, { subject: claims.sub });
  }

  /** Returns the claims of a valid token, or undefined for any bad, expired or foreign token. */
  verify(token: string): AccessClaims | undefined {
    try {
      const payload = this.jwt.verify<{ sub?: unknown; role?: unknown; tv?: unknown }>(token);
      if (typeof payload.sub !== 'string' || typeof payload.tv !== 'number') return undefined;
      return { sub: payload.sub, role: payload.role as Role, tv: payload.tv };
    } catch {
      return undefined;
    }
  }
}
