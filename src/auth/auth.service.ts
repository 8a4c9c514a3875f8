import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import { randomToken, sha256Hex } from '../common/crypto/hashing';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Metrics } from '../metrics/metrics.service';
import { UsersService } from '../users/users.service';
import {
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  MfaRequiredError,
  RegistrationClosedError,
} from './auth.errors';
import type { LoginDto, RegisterDto, TokenPairDto } from './dto/auth.dto';
import { LoginSessions } from './login-sessions';
import { MfaService, secondFactorOf } from './mfa.service';
import { PasswordService } from './password.service';
import { RefreshTokenRepository } from './persistence/refresh-token.repository';
import type {
  AccessTokens,
  AuditLog,
  AuthMetrics,
  LoginEnds,
  PasswordCheck,
  RefreshTokenStore,
  SecondFactors,
  User,
  UserAccounts,
} from './ports';
import { TokenService } from './token.service';

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(UsersService) private readonly users: UserAccounts,
    @Inject(RefreshTokenRepository) private readonly refreshTokens: RefreshTokenStore,
    @Inject(PasswordService) private readonly passwords: PasswordCheck,
    @Inject(TokenService) private readonly tokens: AccessTokens,
    @Inject(AuditService) private readonly audit: AuditLog,
    @Inject(MfaService) private readonly mfa: SecondFactors,
    @Inject(Metrics) private readonly metrics: AuthMetrics,
    @Inject(LoginSessions) private readonly logins: LoginEnds,
  ) {}

  async register(input: RegisterDto, audit?: AuditRequestContext): Promise<User> {
    if (this.config.auth.registration === 'closed') throw new RegistrationClosedError();
    return this.users.create({ ...input, role: 'viewer' }, 'auth.register', audit);
  }

  /** The same answer for an unknown email, a wrong password and a deactivated user. */
  async login(input: LoginDto, audit?: AuditRequestContext): Promise<Required<TokenPairDto>> {
    const sent = secondFactorOf(input.totp, input.recoveryCode);
    const user = await this.users.findByEmail(input.email);
    const passwordOk = await this.passwords.verify(user?.passwordHash, input.password);
    if (!user || !passwordOk || !user.isActive) {
      await this.audit.record(
        {
          action: 'auth.login',
          outcome: 'failure',
          resourceType: 'user',
          resourceId: user?.id ?? null,
          actorType: 'user',
          actorId: user?.id ?? null,
          // What was typed is kept only if it is an address: a password typed in its place stays out of the log.
          details: { email: user || isEmail(input.email) ? input.email : null, reason: 'invalid_credentials' },
        },
        undefined,
        audit,
      );
      this.metrics.authFailure('login');
      throw new InvalidCredentialsError();
    }
    const factor = user.mfaEnabled ? sent : undefined;
    if (user.mfaEnabled && !factor) return this.refuseMfa(user, 'mfa_required', audit);
    const pair = await this.refreshTokens.transaction(async (em) => {
      if (factor && !(await this.mfa.spend(em, user, factor, 'auth.login', audit))) return undefined;
      await this.users.recordLogin(em, user.id);
      const issued = await this.issuePair(em, user, randomUUID());
      await this.audit.record(
        {
          action: 'auth.login',
          outcome: 'success',
          resourceType: 'user',
          resourceId: user.id,
          actorType: 'user',
          actorId: user.id,
          ...(factor ? { details: { mfa: 'totp' in factor ? 'totp' : 'recovery_code' } } : {}),
        },
        em,
        audit,
      );
      return issued;
    });
    return pair ?? this.refuseMfa(user, 'mfa_invalid', audit);
  }

  private async refuseMfa(
    user: User,
    reason: 'mfa_required' | 'mfa_invalid',
    audit?: AuditRequestContext,
  ): Promise<never> {
    await this.audit.record(
      {
        action: 'auth.login',
        outcome: 'failure',
        resourceType: 'user',
        resourceId: user.id,
        actorType: 'user',
        actorId: user.id,
        details: { reason },
      },
      undefined,
      audit,
    );
    this.metrics.authFailure('mfa');
    throw new MfaRequiredError();
  }

  /**
   * Exchanges a refresh token for a new pair; the old one is spent. A spent token presented again means
   * it leaked: the whole family is revoked (the newest token too), its login ends (its access tokens stop
   * working on every process) and the reuse is audited.
   */
  async refresh(presented: string, audit?: AuditRequestContext): Promise<Required<TokenPairDto>> {
    const outcome = await this.refreshTokens.transaction(async (em) => {
      const token = await this.refreshTokens.lockByHash(em, sha256Hex(presented));
      if (!token || token.revokedAt || token.expiresAt.getTime() <= Date.now())
        return { error: 'invalid' as const, pair: undefined };
      if (token.usedAt) {
        await this.refreshTokens.revokeFamily(em, token.familyId);
        await this.audit.record(
          {
            action: 'auth.refresh_reuse',
            outcome: 'denied',
            resourceType: 'user',
            resourceId: token.userId,
            actorType: 'user',
            actorId: token.userId,
            details: { familyId: token.familyId },
          },
          em,
          audit,
        );
        return { error: 'reuse' as const, pair: undefined, ended: token.familyId };
      }
      const user = await this.users.findById(token.userId, em);
      if (!user?.isActive) return { error: 'invalid' as const, pair: undefined };
      await this.refreshTokens.markUsed(em, token.id);
      const pair = await this.issuePair(em, user, token.familyId);
      await this.audit.record(
        {
          action: 'auth.refresh',
          outcome: 'success',
          resourceType: 'user',
          resourceId: user.id,
          actorType: 'user',
          actorId: user.id,
        },
        em,
        audit,
      );
      return { error: undefined, pair };
    });
    if (outcome.pair) return outcome.pair;
    if (outcome.error === 'reuse') await this.logins.ended(outcome.ended);
    if (outcome.error === 'invalid') {
      await this.audit.record(
        { action: 'auth.refresh', outcome: 'failure', actorType: 'user', actorId: null },
        undefined,
        audit,
      );
    }
    throw new InvalidRefreshTokenError();
  }

  /**
   * Revokes the token's whole family (this login on every device it was refreshed on); once that is committed,
   * the access tokens issued for the login stop working on every process.
   */
  async logout(presented: string, audit?: AuditRequestContext): Promise<void> {
    const familyId = await this.refreshTokens.transaction(async (em) => {
      const token = await this.refreshTokens.findByHash(em, sha256Hex(presented));
      if (token) await this.refreshTokens.revokeFamily(em, token.familyId);
      await this.audit.record(
        {
          action: 'auth.logout',
          outcome: token ? 'success' : 'failure',
          resourceType: 'user',
          resourceId: token?.userId ?? null,
          actorType: 'user',
          actorId: token?.userId ?? null,
        },
        em,
        audit,
      );
      return token?.familyId;
    });
    if (familyId) await this.logins.ended(familyId);
  }

  private async issuePair(em: EntityManager, user: User, familyId: string): Promise<Required<TokenPairDto>> {
    const refreshToken = randomToken(32);
    await this.refreshTokens.insert(em, {
      userId: user.id,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + this.config.auth.refreshTtlSeconds * 1000),
    });
    return {
      accessToken: this.tokens.sign({ sub: user.id, role: user.role, tv: user.tokenVersion, sid: familyId }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTtlSeconds,
    };
  }
}
