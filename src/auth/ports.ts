import type { AuditService } from '../audit/audit.service';
import type { Metrics } from '../metrics/metrics.service';
import type { SharedCaches } from '../redis/shared-cache';
import type { UsersService } from '../users/users.service';
import type { LoginSessions } from './login-sessions';
import type { MfaService } from './mfa.service';
import type { PasswordService } from './password.service';
import type { RefreshTokenRepository } from './persistence/refresh-token.repository';
import type { TokenService } from './token.service';

/**
 * What AuthService and LoginSessions need of their collaborators, as interfaces: Nest injects the real
 * classes, unit specs pass small fakes (test/fakes/auth.ts) that implement these.
 */
export type User = NonNullable<Awaited<ReturnType<UsersService['findById']>>>;
export type UserAccounts = Pick<UsersService, 'findByEmail' | 'findById' | 'recordLogin' | 'create'>;
export type RefreshTokenStore = Pick<
  RefreshTokenRepository,
  'transaction' | 'lockByHash' | 'findByHash' | 'insert' | 'markUsed' | 'revokeFamily'
>;
export type PasswordCheck = Pick<PasswordService, 'verify'>;
export type AccessTokens = Pick<TokenService, 'sign' | 'accessTtlSeconds'>;
export type SecondFactors = Pick<MfaService, 'spend'>;
export type AuditLog = Pick<AuditService, 'record'>;
export type AuthMetrics = Pick<Metrics, 'authFailure'>;
export type LoginEnds = Pick<LoginSessions, 'ended'>;
export type LoginStore = Pick<RefreshTokenRepository, 'liveFamilyOwner'>;
export type CacheFactory = Pick<SharedCaches, 'create'>;
