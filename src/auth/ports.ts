import type { AuditService } from '../audit/audit.service';
import type { Metrics } from '../metrics/metrics.service';
import type { UsersService } from '../users/users.service';
import type { MfaService } from './mfa.service';
import type { PasswordService } from './password.service';
import type { RefreshTokenRepository } from './persistence/refresh-token.repository';
import type { TokenService } from './token.service';

/**
 * What AuthService needs of its collaborators, as interfaces: Nest injects the real classes, unit specs
 * pass small fakes (test/fakes/auth.ts) that implement these.
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
