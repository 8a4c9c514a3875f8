import { JwtService } from '@nestjs/jwt';
import {
  FAKE_USER_ID,
  FakeAuditLog,
  FakeAuthMetrics,
  FakeLoginEnds,
  FakeRefreshTokens,
  FakeSecondFactors,
  FakeUserAccounts,
  fakeUser,
} from '../../test/fakes/auth';
import type { AuditRequestContext } from '../audit/audit-context';
import { sha256Hex } from '../common/crypto/hashing';
import { loadConfig } from '../config/app-config';
import {
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  MfaRequiredError,
  RegistrationClosedError,
} from './auth.errors';
import { AuthService } from './auth.service';
import { PasswordService } from './password.service';
import type { User } from './ports';
import { jwtOptions, TokenService } from './token.service';

const PASSWORD = 'correct horse battery staple';
const passwords = new PasswordService();
let passwordHash: string;

beforeAll(async () => {
  passwordHash = await passwords.hash(PASSWORD);
});

function setup(users: Partial<User>[] = [{}], registration: 'open' | 'closed' = 'open') {
  const config = loadConfig({ JWT_SECRET: 'q7Vb2xK9mP4wZr8sT1uY6nE3aD5fG0hJ_kL-cBx', AUTH_REGISTRATION: registration });
  const tokens = new TokenService(new JwtService(jwtOptions(config)), config);
  const accounts = new FakeUserAccounts(...users.map((fields) => fakeUser({ passwordHash, ...fields })));
  const refreshTokens = new FakeRefreshTokens();
  const mfa = new FakeSecondFactors('654321');
  const audit = new FakeAuditLog();
  const metrics = new FakeAuthMetrics();
  const logins = new FakeLoginEnds(refreshTokens);
  const service = new AuthService(config, accounts, refreshTokens, passwords, tokens, audit, mfa, metrics, logins);
  return { service, tokens, accounts, refreshTokens, mfa, audit, metrics, logins };
}

const request: AuditRequestContext = { ip: '10.0.0.1', userAgent: 'spec', requestId: 'r1', recorded: false };
const login = (fields: Partial<{ email: string; password: string; totp: string; recoveryCode: string }> = {}) => ({
  email: 'user-1@example.test',
  password: PASSWORD,
  ...fields,
});

describe('AuthService', () => {
  it('signs in with the right password: an access token of the user and its login, a refresh token, all audited in one go', async () => {
    const { service, tokens, accounts, refreshTokens, audit } = setup([{ role: 'operator', tokenVersion: 4 }]);
    const pair = await service.login(login({ email: '  USER-1@example.test ' }), request);
    const stored = refreshTokens.tokens.get(sha256Hex(pair.refreshToken));
    expect(tokens.verify(pair.accessToken)).toEqual({
      sub: FAKE_USER_ID,
      role: 'operator',
      tv: 4,
      sid: stored?.familyId,
    });
    expect(stored?.familyId).toEqual(expect.any(String));
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: tokens.accessTtlSeconds });
    expect(stored).toMatchObject({ userId: FAKE_USER_ID, usedAt: null, revokedAt: null });
    expect(stored!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(accounts.users.get(FAKE_USER_ID)?.lastLoginAt).toBeInstanceOf(Date);
    expect(audit.entries).toEqual([
      {
        event: expect.objectContaining({ action: 'auth.login', outcome: 'success' }),
        inTransaction: true,
        context: request,
      },
    ]);
  });

  it.each([
    ['a wrong password', [{}], login({ password: 'not the password' })],
    ['an unknown email', [{}], login({ email: 'nobody@example.test' })],
    ['a deactivated user', [{ isActive: false }], login()],
  ])('gives the same answer for %s, audited and counted, and issues nothing', async (_case, users, input) => {
    const { service, refreshTokens, audit, metrics } = setup(users);
    const refused = await service.login(input, request).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(InvalidCredentialsError);
    expect((refused as Error).message).toBe('Invalid email or password');
    expect(refreshTokens.tokens.size).toBe(0);
    expect(audit.entries).toEqual([
      {
        event: expect.objectContaining({
          action: 'auth.login',
          outcome: 'failure',
          details: { email: input.email, reason: 'invalid_credentials' },
        }),
        inTransaction: false,
        context: request,
      },
    ]);
    expect(metrics.failures).toEqual(['login']);
  });

  it('asks a user with MFA for the second factor before issuing anything', async () => {
    const { service, refreshTokens, audit, metrics } = setup([{ mfaEnabled: true }]);
    await expect(service.login(login(), request)).rejects.toThrow(MfaRequiredError);
    await expect(service.login(login({ totp: '000000' }), request)).rejects.toThrow(MfaRequiredError);
    expect(refreshTokens.tokens.size).toBe(0);
    expect(audit.entries.map((e) => [e.event.outcome, e.event.details])).toEqual([
      ['failure', { reason: 'mfa_required' }],
      ['failure', { reason: 'mfa_invalid' }],
    ]);
    expect(metrics.failures).toEqual(['mfa', 'mfa']);
  });

  it('signs in a user with MFA with a TOTP code, or once with each recovery code', async () => {
    const { service, mfa, audit } = setup([{ mfaEnabled: true }]);
    mfa.recoveryCodes.add('ABCD-EFGH-IJKL-MNOP');
    await expect(service.login(login({ totp: '654321' }))).resolves.toHaveProperty('accessToken');
    await expect(service.login(login({ recoveryCode: 'ABCD-EFGH-IJKL-MNOP' }))).resolves.toHaveProperty('accessToken');
    await expect(service.login(login({ recoveryCode: 'ABCD-EFGH-IJKL-MNOP' }))).rejects.toThrow(MfaRequiredError);
    expect(audit.entries.map((e) => [e.event.outcome, e.event.details])).toEqual([
      ['success', { mfa: 'totp' }],
      ['success', { mfa: 'recovery_code' }],
      ['failure', { reason: 'mfa_invalid' }],
    ]);
  });

  it('ignores a second factor sent by a user without MFA', async () => {
    const { service } = setup();
    await expect(service.login(login({ totp: '000000' }))).resolves.toHaveProperty('refreshToken');
  });

  it('rotates a refresh token: a new pair of the same family and login, the old token spent', async () => {
    const { service, tokens, refreshTokens, audit, logins } = setup();
    const first = await service.login(login());
    const second = await service.refresh(first.refreshToken, request);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const spent = refreshTokens.tokens.get(sha256Hex(first.refreshToken))!;
    const fresh = refreshTokens.tokens.get(sha256Hex(second.refreshToken))!;
    expect(spent.usedAt).toBeInstanceOf(Date);
    expect(fresh).toMatchObject({ familyId: spent.familyId, usedAt: null, revokedAt: null });
    expect(tokens.verify(second.accessToken)?.sid).toBe(spent.familyId);
    expect(logins.announced).toEqual([]);
    expect(audit.entries.at(-1)).toEqual({
      event: expect.objectContaining({ action: 'auth.refresh', outcome: 'success', resourceId: FAKE_USER_ID }),
      inTransaction: true,
      context: request,
    });
  });

  it('takes a spent token presented again as a leak: the whole family is revoked, the newest token too, its login ended', async () => {
    const { service, refreshTokens, audit, logins } = setup();
    const first = await service.login(login());
    const second = await service.refresh(first.refreshToken);
    const other = await service.login(login());
    await expect(service.refresh(first.refreshToken, request)).rejects.toThrow(InvalidRefreshTokenError);
    const family = refreshTokens.tokens.get(sha256Hex(first.refreshToken))!.familyId;
    expect(refreshTokens.live(family)).toEqual([]);
    expect(logins.announced).toEqual([{ id: family, inTransaction: false }]);
    await expect(service.refresh(second.refreshToken)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(service.refresh(other.refreshToken)).resolves.toHaveProperty('accessToken');
    expect(audit.entries.find((e) => e.event.action === 'auth.refresh_reuse')).toEqual({
      event: expect.objectContaining({ outcome: 'denied', details: { familyId: family } }),
      inTransaction: true,
      context: request,
    });
  });

  it('refuses an unknown or expired refresh token, or one of a deactivated user, and audits it', async () => {
    const { service, refreshTokens, accounts, audit } = setup();
    await expect(service.refresh('not-a-token')).rejects.toThrow(InvalidRefreshTokenError);
    const expired = await service.login(login());
    refreshTokens.tokens.get(sha256Hex(expired.refreshToken))!.expiresAt = new Date(Date.now() - 1);
    await expect(service.refresh(expired.refreshToken)).rejects.toThrow(InvalidRefreshTokenError);
    const deactivated = await service.login(login());
    accounts.users.get(FAKE_USER_ID)!.isActive = false;
    await expect(service.refresh(deactivated.refreshToken)).rejects.toThrow(InvalidRefreshTokenError);
    expect(refreshTokens.tokens.get(sha256Hex(deactivated.refreshToken))?.usedAt).toBeNull();
    expect(audit.actions().filter((a) => a.startsWith('auth.refresh'))).toEqual([
      'auth.refresh:failure',
      'auth.refresh:failure',
      'auth.refresh:failure',
    ]);
  });

  it('logs out the whole family of the token and ends its login once committed; an unknown token is a failure entry, not an error', async () => {
    const { service, refreshTokens, audit, logins } = setup();
    const first = await service.login(login());
    const second = await service.refresh(first.refreshToken);
    await service.logout(second.refreshToken, request);
    await expect(service.refresh(second.refreshToken)).rejects.toThrow(InvalidRefreshTokenError);
    const family = refreshTokens.tokens.get(sha256Hex(first.refreshToken))!.familyId;
    expect(refreshTokens.live(family)).toEqual([]);
    expect(logins.announced).toEqual([{ id: family, inTransaction: false }]);
    await service.logout('not-a-token', request);
    expect(logins.announced).toHaveLength(1);
    expect(audit.entries.filter((e) => e.event.action === 'auth.logout')).toEqual([
      {
        event: expect.objectContaining({ outcome: 'success', actorId: FAKE_USER_ID }),
        inTransaction: true,
        context: request,
      },
      { event: expect.objectContaining({ outcome: 'failure', actorId: null }), inTransaction: true, context: request },
    ]);
  });

  it('registers viewers while registration is open', async () => {
    await expect(
      setup().service.register({ email: 'new@example.test', password: PASSWORD, name: 'New' }),
    ).resolves.toMatchObject({
      role: 'viewer',
    });
    await expect(
      setup([], 'closed').service.register({ email: 'new@example.test', password: PASSWORD, name: 'New' }),
    ).rejects.toThrow(RegistrationClosedError);
  });
});
