import type { EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../../src/audit/audit-context';
import type { AuditEvent } from '../../src/audit/audit.service';
import type { SecondFactor } from '../../src/auth/mfa.service';
import type { NewRefreshToken, StoredRefreshToken } from '../../src/auth/persistence/refresh-token.repository';
import type {
  AuditLog,
  AuthMetrics,
  LoginEnds,
  LoginStore,
  RefreshTokenStore,
  SecondFactors,
  User,
  UserAccounts,
} from '../../src/auth/ports';
import type { NewUser } from '../../src/users/users.service';

/** The fake user's id: a UUID, as every user's is (an access token's subject must be one). */
export const FAKE_USER_ID = '3f2c1b0a-9d8e-4f7a-8b6c-5d4e3f2a1b0c';

/** A user with everything a test does not name filled in: active, a viewer, without MFA. */
export function fakeUser(fields: Partial<User> = {}): User {
  const now = new Date();
  return {
    id: FAKE_USER_ID,
    email: 'user-1@example.test',
    name: 'User One',
    passwordHash: '',
    role: 'viewer',
    isActive: true,
    tokenVersion: 0,
    mfaSecret: null,
    mfaEnabled: false,
    mfaLastStep: null,
    lastLoginAt: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

/** Users by id, found by email as the users' service does (trimmed, any case). */
export class FakeUserAccounts implements UserAccounts {
  readonly users = new Map<string, User>();

  constructor(...users: User[]) {
    for (const user of users) this.users.set(user.id, user);
  }

  async findByEmail(email: string): Promise<User | null> {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((u) => u.email === wanted) ?? null;
  }

  async findById(id: string): Promise<User | null> {
    return this.users.get(id) ?? null;
  }

  async recordLogin(_em: EntityManager, id: string): Promise<void> {
    const user = this.users.get(id);
    if (user) user.lastLoginAt = new Date();
  }

  async create(input: NewUser): Promise<User> {
    const user = fakeUser({
      id: `user-${this.users.size + 1}`,
      email: input.email,
      name: input.name,
      role: input.role,
    });
    this.users.set(user.id, user);
    return user;
  }
}

/**
 * Refresh tokens by hash, with a transaction that is all or nothing: when its work throws, the tokens are
 * as they were before it.
 */
export class FakeRefreshTokens implements RefreshTokenStore, LoginStore {
  tokens = new Map<string, StoredRefreshToken>();
  /** Transactions begun and not yet ended. */
  open = 0;
  private issued = 0;

  async transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const before = structuredClone(this.tokens);
    this.open += 1;
    try {
      return await work({} as EntityManager);
    } catch (err) {
      this.tokens = before;
      throw err;
    } finally {
      this.open -= 1;
    }
  }

  async lockByHash(_em: EntityManager, tokenHash: string): Promise<StoredRefreshToken | null> {
    return this.findByHash(_em, tokenHash);
  }

  async findByHash(_em: EntityManager, tokenHash: string): Promise<StoredRefreshToken | null> {
    const token = this.tokens.get(tokenHash);
    return token ? structuredClone(token) : null;
  }

  async insert(_em: EntityManager, token: NewRefreshToken): Promise<void> {
    this.issued += 1;
    this.tokens.set(token.tokenHash, { ...token, id: `token-${this.issued}`, usedAt: null, revokedAt: null });
  }

  async markUsed(_em: EntityManager, id: string): Promise<void> {
    for (const token of this.tokens.values()) if (token.id === id) token.usedAt = new Date();
  }

  async revokeFamily(_em: EntityManager, familyId: string): Promise<void> {
    for (const token of this.tokens.values())
      if (token.familyId === familyId && !token.revokedAt) token.revokedAt = new Date();
  }

  async liveFamilyOwner(familyId: string): Promise<string | null> {
    const live = [...this.tokens.values()].find(
      (t) => t.familyId === familyId && !t.revokedAt && t.expiresAt.getTime() > Date.now(),
    );
    return live?.userId ?? null;
  }

  /** The family's tokens that still work. */
  live(familyId: string): StoredRefreshToken[] {
    return [...this.tokens.values()].filter((t) => t.familyId === familyId && !t.revokedAt);
  }
}

/** The logins announced as ended, each with whether a transaction of `tokens` was still open then. */
export class FakeLoginEnds implements LoginEnds {
  readonly announced: { id: string; inTransaction: boolean }[] = [];

  constructor(private readonly tokens: FakeRefreshTokens) {}

  async ended(id: string): Promise<void> {
    this.announced.push({ id, inTransaction: this.tokens.open > 0 });
  }
}

/** A second factor: one TOTP code that always works, and recovery codes that work once. */
export class FakeSecondFactors implements SecondFactors {
  readonly recoveryCodes = new Set<string>();

  constructor(private readonly totp = '123456') {}

  async spend(_em: EntityManager, _user: User, factor: SecondFactor): Promise<boolean> {
    if ('totp' in factor) return factor.totp === this.totp;
    return this.recoveryCodes.delete(factor.recoveryCode);
  }
}

/** The audit entries written, and whether each was written in a transaction. */
export class FakeAuditLog implements AuditLog {
  readonly entries: { event: AuditEvent; inTransaction: boolean; context?: AuditRequestContext }[] = [];

  async record(event: AuditEvent, manager?: EntityManager, context?: AuditRequestContext): Promise<void> {
    this.entries.push({ event, inTransaction: manager !== undefined, context });
  }

  actions(): string[] {
    return this.entries.map((e) => `${e.event.action}:${e.event.outcome}`);
  }
}

export class FakeAuthMetrics implements AuthMetrics {
  readonly failures: string[] = [];

  authFailure(kind: string): void {
    this.failures.push(kind);
  }
}
