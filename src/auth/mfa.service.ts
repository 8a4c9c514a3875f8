import { randomInt } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import * as OTPAuth from 'otpauth';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import { sha256Hex } from '../common/crypto/hashing';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { InvalidStateError, ValidationFailedError } from '../common/errors/app.error';
import { UsersService } from '../users/users.service';
import { MFA_ATTEMPT_WINDOW_MS, MFA_ATTEMPTS, MfaRequiredError, TooManyMfaAttemptsError } from './auth.errors';
import { RecoveryCodeRepository } from './persistence/recovery-code.repository';
import type { User } from './ports';

const TOTP_ISSUER = 'YMERA';
const RECOVERY_CODES = 10;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 16 base32 characters (80 bits), typed in four groups; case and dashes do not matter. */
export const RECOVERY_CODE_PATTERN = /^[A-Za-z2-7]{4}(-?[A-Za-z2-7]{4}){3}$/;

/** What proves the second factor: a TOTP code, or one of the user's recovery codes. */
export type SecondFactor = { totp: string } | { recoveryCode: string };

export interface MfaStatus {
  mfaEnabled: boolean;
  recoveryCodesRemaining: number;
}

/** The second factor a request sends (a TOTP code or a recovery code, never both), if any. */
export function secondFactorOf(totp: string | undefined, recoveryCode: string | undefined): SecondFactor | undefined {
  if (totp !== undefined && recoveryCode !== undefined) {
    throw new ValidationFailedError([
      { field: '/recoveryCode', message: 'must not be sent together with a TOTP code' },
    ]);
  }
  if (totp !== undefined) return { totp };
  return recoveryCode === undefined ? undefined : { recoveryCode };
}

function newRecoveryCode(): string {
  const chars = Array.from({ length: 16 }, () => BASE32[randomInt(BASE32.length)]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

const recoveryCodeHash = (code: string) => sha256Hex(code.replace(/-/g, '').toUpperCase());

/**
 * TOTP (RFC 6238) and recovery codes. Every code is single-use, decided by one guarded statement, so of
 * two concurrent requests with the same code exactly one wins: a TOTP code is accepted only for a time
 * step later than the last one accepted (§5.2), a recovery code only while it is unused.
 */
@Injectable()
export class MfaService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly cipher: SecretsCipher,
    private readonly recoveryCodes: RecoveryCodeRepository,
    // Present where requests are served (the API role); a worker process loads this module but checks no codes.
    @Optional() @InjectThrottlerStorage() private readonly attempts?: ThrottlerStorage,
  ) {}

  /**
   * Counts a code about to be checked against the user's budget (MFA_ATTEMPTS per window, shared by every
   * instance through Redis); over it, refused before the code is looked at.
   */
  private async countAttempt(userId: string): Promise<void> {
    if (!this.attempts) throw new Error('One-time codes are checked where requests are served (APP_ROLE api or all)');
    const seen = await this.attempts.increment(
      `mfa:${userId}`,
      MFA_ATTEMPT_WINDOW_MS,
      MFA_ATTEMPTS,
      MFA_ATTEMPT_WINDOW_MS,
      'mfa',
    );
    if (seen.isBlocked) throw new TooManyMfaAttemptsError(seen.timeToBlockExpire);
  }

  async status(userId: string): Promise<MfaStatus> {
    const user = await this.users.get(userId);
    return {
      mfaEnabled: user.mfaEnabled,
      recoveryCodesRemaining: await this.recoveryCodes.remaining(this.dataSource.manager, userId),
    };
  }

  async setup(userId: string, audit?: AuditRequestContext): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.users.get(userId);
    if (user.mfaEnabled) throw new InvalidStateError('MFA is already enabled; disable it first');
    const secret = new OTPAuth.Secret({ size: 20 });
    const totp = new OTPAuth.TOTP({ issuer: TOTP_ISSUER, label: user.email, secret });
    await this.dataSource.transaction(async (em) => {
      await this.users.setMfaSecret(em, user.id, this.cipher.encrypt(secret.base32));
      await this.audit.record(
        { action: 'auth.mfa_setup', outcome: 'success', resourceType: 'user', resourceId: user.id },
        em,
        audit,
      );
    });
    return { secret: secret.base32, otpauthUrl: totp.toString() };
  }

  /** Enables MFA with a code of the new authenticator; returns the recovery codes, shown this once. */
  async enable(userId: string, code: string, audit?: AuditRequestContext): Promise<string[]> {
    const user = await this.users.get(userId);
    if (!user.mfaSecret) throw new InvalidStateError('Set up MFA first');
    if (user.mfaEnabled) throw new InvalidStateError('MFA is already enabled');
    await this.countAttempt(user.id);
    const codes = await this.dataSource.transaction(async (em) => {
      if (!(await this.spendTotp(em, user, code, false))) return undefined;
      const issued = await this.replaceRecoveryCodes(em, user.id);
      await this.audit.record(
        { action: 'auth.mfa_enable', outcome: 'success', resourceType: 'user', resourceId: user.id },
        em,
        audit,
      );
      return issued;
    });
    if (!codes) return this.refuse('auth.mfa_enable', user, audit);
    return codes;
  }

  /** Disables MFA with a TOTP code or a recovery code (the authenticator may be lost); drops the codes. */
  async disable(userId: string, factor: SecondFactor, audit?: AuditRequestContext): Promise<void> {
    const user = await this.users.get(userId);
    if (!user.mfaEnabled) throw new InvalidStateError('MFA is already disabled');
    const done = await this.dataSource.transaction(async (em) => {
      if (!(await this.spend(em, user, factor, 'auth.mfa_disable', audit))) return false;
      await this.users.disableMfa(em, user.id);
      await this.recoveryCodes.dropAll(em, user.id);
      await this.audit.record(
        { action: 'auth.mfa_disable', outcome: 'success', resourceType: 'user', resourceId: user.id },
        em,
        audit,
      );
      return true;
    });
    if (!done) await this.refuse('auth.mfa_disable', user, audit);
  }

  /** A new set of recovery codes, for a valid TOTP code; the previous set stops working. */
  async regenerateRecoveryCodes(userId: string, code: string, audit?: AuditRequestContext): Promise<string[]> {
    const user = await this.users.get(userId);
    if (!user.mfaEnabled) throw new InvalidStateError('MFA is not enabled');
    await this.countAttempt(user.id);
    const codes = await this.dataSource.transaction(async (em) => {
      if (!(await this.spendTotp(em, user, code))) return undefined;
      const issued = await this.replaceRecoveryCodes(em, user.id);
      await this.audit.record(
        { action: 'auth.mfa_recovery_codes', outcome: 'success', resourceType: 'user', resourceId: user.id },
        em,
        audit,
      );
      return issued;
    });
    if (!codes) return this.refuse('auth.mfa_recovery_codes', user, audit);
    return codes;
  }

  /**
   * Spends the second factor of a login inside its transaction: false when the code is wrong or was
   * used already. A recovery code used is audited with how many remain.
   */
  async spend(
    em: EntityManager,
    user: User,
    factor: SecondFactor,
    context = 'auth.login',
    audit?: AuditRequestContext,
  ): Promise<boolean> {
    await this.countAttempt(user.id);
    return 'totp' in factor
      ? this.spendTotp(em, user, factor.totp)
      : this.spendRecoveryCode(em, user, factor, context, audit);
  }

  /**
   * Accepts `code` when it matches a step (±1 for clock drift) later than the last accepted one, and
   * records that step, in one statement that also checks the secret is still the one the code was checked
   * against. Spent to enable MFA (`enabled` false), it also turns MFA on.
   */
  private async spendTotp(em: EntityManager, user: User, code: string, enabled = true): Promise<boolean> {
    if (!user.mfaSecret) return false;
    const totp = new OTPAuth.TOTP({
      issuer: TOTP_ISSUER,
      label: user.email,
      secret: OTPAuth.Secret.fromBase32(this.cipher.decrypt(user.mfaSecret)),
    });
    const now = Date.now();
    const delta = totp.validate({ token: code, timestamp: now, window: 1 });
    if (delta === null) return false;
    const step = totp.counter({ timestamp: now }) + delta;
    return this.users.acceptTotpStep(em, user.id, user.mfaSecret, step, enabled);
  }

  private async spendRecoveryCode(
    em: EntityManager,
    user: User,
    factor: { recoveryCode: string },
    context: string,
    audit?: AuditRequestContext,
  ): Promise<boolean> {
    if (!(await this.recoveryCodes.spend(em, user.id, recoveryCodeHash(factor.recoveryCode)))) return false;
    await this.audit.record(
      {
        action: 'auth.mfa_recovery_code_used',
        outcome: 'success',
        resourceType: 'user',
        resourceId: user.id,
        actorType: 'user',
        actorId: user.id,
        details: { for: context, remaining: await this.recoveryCodes.remaining(em, user.id) },
      },
      em,
      audit,
    );
    return true;
  }

  private async replaceRecoveryCodes(em: EntityManager, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.recoveryCodes.replace(em, userId, codes.map(recoveryCodeHash));
    return codes;
  }

  private async refuse(action: string, user: User, audit?: AuditRequestContext): Promise<never> {
    await this.audit.record(
      { action, outcome: 'failure', resourceType: 'user', resourceId: user.id, details: { reason: 'invalid_code' } },
      undefined,
      audit,
    );
    throw new MfaRequiredError('The code is not valid');
  }
}
