import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Not } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import type { Principal } from '../auth/principal';
import { type Permission, permissionsOf, type Role } from '../auth/permissions';
import { RefreshTokenRepository } from '../auth/refresh-tokens';
import { ConflictError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { containsPattern } from '../common/search-pattern';
import { type SharedCache, SharedCaches } from '../redis/shared-cache';
import type { UpdateUserDto, UserQueryDto } from './dto/user.dto';
import { UserEntity } from './entities/user.entity';
import { CreatorWithoutAccessError, EmailTakenError, requireSignedInAdmin, UserNotFoundError } from './users.errors';

const UNIQUE_VIOLATION = '23505';
const AUTH_STATE_TTL_MS = 5000;

/** What authenticating a caller needs to know of their user, cached per process. */
export interface UserAuthState {
  id: string;
  email: string;
  role: Role;
  isActive: boolean;
  tokenVersion: number;
}

/** Who changes a user: a signed-in user or an API key, acting for `userId`. */
export type Actor = Pick<Principal, 'userId' | 'type'>;

export interface NewUser {
  email: string;
  password: string;
  name: string;
  role: Role;
}

@Injectable()
export class UsersService {
  private readonly authStates: SharedCache<UserAuthState>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly refreshTokens: RefreshTokenRepository,
    caches: SharedCaches,
  ) {
    this.authStates = caches.create(
      'user-auth',
      (id) =>
        this.repo.findOne({
          select: { id: true, email: true, role: true, isActive: true, tokenVersion: true },
          where: { id },
        }),
      { ttlMs: AUTH_STATE_TTL_MS, max: 10_000 },
    );
  }

  /**
   * The state every authenticated request checks (active, role, token version). Cached per process; a
   * change made through {@link update} reaches every process at once, and an entry lives at most a few
   * seconds in any case.
   */
  authState(id: string): Promise<UserAuthState | null> {
    return this.authStates.get(id);
  }

  /**
   * Whether what the user set up to act for them (an inbound hook, a schedule, a workflow trigger) may still
   * do what `permission` allows: they are active and their role holds it now. Read as a caller's state is
   * ({@link authState}), so a deactivation or a demotion stops it at once, as it stops their tokens and keys.
   * Throws {@link CreatorWithoutAccessError} (403) when they may not.
   */
  async assertMayStill(id: string, permission: Permission): Promise<void> {
    const user = await this.authState(id);
    if (!user?.isActive || !permissionsOf(user.role).has(permission)) throw new CreatorWithoutAccessError(permission);
  }

  /**
   * Calls `listener` with a user's id whenever their auth state changes on any process (deactivated, role or
   * password changed; undefined: any user's may have), for what outlives one request, such as live streams.
   */
  onAuthStateChange(listener: (userId: string | undefined) => void): () => void {
    return this.authStates.onDrop(listener);
  }

  /** Announces that what authenticates a user's callers changed elsewhere (one of their API keys revoked). */
  authStateChanged(id: string): Promise<void> {
    return this.authStates.invalidate(id);
  }

  private get repo() {
    return this.dataSource.getRepository(UserEntity);
  }

  /**
   * Creates a user and its audit entry in one transaction; a taken email (any case) is a conflict. `actor`: who
   * asks, when someone does: an API key may create no one, as a user's password would outlive the key.
   */
  async create(
    input: NewUser,
    action = 'user.create',
    audit?: AuditRequestContext,
    actor?: Actor,
  ): Promise<UserEntity> {
    requireSignedInAdmin(actor, 'Creating a user');
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return await this.dataSource.transaction(async (em) => {
        const user = await em.save(
          em.create(UserEntity, {
            email: input.email.trim().toLowerCase(),
            name: input.name,
            passwordHash,
            role: input.role,
          }),
        );
        await this.audit.record(
          {
            action,
            outcome: 'success',
            resourceType: 'user',
            resourceId: user.id,
            details: { email: user.email, role: user.role },
          },
          em,
          audit,
        );
        return user;
      });
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION)
        throw new EmailTakenError();
      throw err;
    }
  }

  /** The user with this id; given a transaction's manager, read in that transaction. */
  findById(id: string, em: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return em.findOneBy(UserEntity, { id });
  }

  /** Stores a new (encrypted) TOTP secret for a user whose MFA is off; the authenticator is not confirmed yet. */
  async setMfaSecret(em: EntityManager, id: string, sealedSecret: string): Promise<void> {
    await em.update(UserEntity, { id, mfaEnabled: false }, { mfaSecret: sealedSecret, mfaLastStep: null });
  }

  /**
   * Records `step` as the user's last accepted TOTP step, and turns MFA on, in one guarded statement: only
   * while the secret is still `sealedSecret`, MFA is on as `enabled` says, and no later step was accepted.
   * False when any of that no longer holds (a concurrent request used the code first).
   */
  async acceptTotpStep(
    em: EntityManager,
    id: string,
    sealedSecret: string,
    step: number,
    enabled: boolean,
  ): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(UserEntity)
      .set({ mfaLastStep: step, mfaEnabled: true })
      .where('id = :id AND mfa_secret = :secret AND mfa_enabled = :enabled', { id, secret: sealedSecret, enabled })
      .andWhere('(mfa_last_step IS NULL OR mfa_last_step < :step)', { step })
      .execute();
    return result.affected === 1;
  }

  async disableMfa(em: EntityManager, id: string): Promise<void> {
    await em.update(UserEntity, { id }, { mfaEnabled: false, mfaSecret: null, mfaLastStep: null });
  }

  /** Notes a successful sign-in, in the sign-in's transaction. */
  async recordLogin(em: EntityManager, id: string): Promise<void> {
    await em.update(UserEntity, { id }, { lastLoginAt: new Date() });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email: email.trim().toLowerCase() });
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async list(query: UserQueryDto): Promise<Page<UserEntity>> {
    const qb = this.repo.createQueryBuilder('u');
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.q) qb.andWhere('(u.email ILIKE :q OR u.name ILIKE :q)', { q: containsPattern(query.q) });
    const [items, total] = await qb.orderBy('u.createdAt', 'DESC').skip(query.skip).take(query.limit).getManyAndCount();
    return new Page(items, total, query.skip, query.limit);
  }

  /**
   * Changing the role or deactivating raises the token version (every access token of the user stops
   * working on its next request) and revokes the refresh tokens; the audit entry is in the same transaction.
   * `actor`: who asks (their own role and activity are theirs to keep; an API key may not touch an admin's).
   */
  async update(id: string, changes: UpdateUserDto, actor?: Actor, audit?: AuditRequestContext): Promise<UserEntity> {
    const updated = await this.dataSource.transaction(async (em) => {
      // Changes that may take away an active admin are made one at a time, so two admins demoting each
      // other at once cannot leave none.
      if (changes.role !== undefined || changes.isActive === false) {
        await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['ymera:users:admins']);
      }
      const user = await em.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new UserNotFoundError();
      await this.refuseLosingAdmin(em, user, changes, actor);
      const before = { name: user.name, role: user.role, isActive: user.isActive };
      const invalidates =
        (changes.role !== undefined && changes.role !== user.role) || (changes.isActive === false && user.isActive);
      if (changes.name !== undefined) user.name = changes.name;
      if (changes.role !== undefined) user.role = changes.role;
      if (changes.isActive !== undefined) user.isActive = changes.isActive;
      if (invalidates) {
        user.tokenVersion += 1;
        await this.refreshTokens.revokeAllOf(em, user.id);
      }
      const saved = await em.save(user);
      await this.audit.record(
        {
          action: 'user.update',
          outcome: 'success',
          resourceType: 'user',
          resourceId: user.id,
          details: { before, after: { name: saved.name, role: saved.role, isActive: saved.isActive } },
        },
        em,
        audit,
      );
      return saved;
    });
    await this.authStates.invalidate(id);
    return updated;
  }

  /**
   * An admin may not demote or deactivate themself (another admin must), and the last active admin may not
   * be demoted or deactivated by anyone: the platform always keeps someone who can manage it. Making,
   * reactivating, demoting or deactivating an admin takes a signed-in admin, not an API key.
   */
  private async refuseLosingAdmin(
    em: EntityManager,
    user: UserEntity,
    changes: UpdateUserDto,
    actor: Actor | undefined,
  ): Promise<void> {
    const demoted = changes.role !== undefined && changes.role !== user.role;
    const deactivated = changes.isActive === false && user.isActive;
    if (changes.role === 'admin' && user.role !== 'admin') requireSignedInAdmin(actor, 'Making an admin');
    // An admin deactivated and enabled again is an admin made again, their keys working again with them.
    const reactivatedAdmin = changes.isActive === true && !user.isActive && (changes.role ?? user.role) === 'admin';
    if (reactivatedAdmin) requireSignedInAdmin(actor, 'Reactivating an admin');
    if (!demoted && !deactivated) return;
    if (actor?.userId === user.id) {
      throw new ConflictError('You cannot change your own role or deactivate yourself; another admin can');
    }
    if (user.role === 'admin') requireSignedInAdmin(actor, 'Demoting or deactivating an admin');
    if (user.role !== 'admin' || !user.isActive) return;
    const others = await em.count(UserEntity, { where: { role: 'admin', isActive: true, id: Not(user.id) } });
    if (others === 0) throw new ConflictError('The last active admin cannot be demoted or deactivated');
  }

  /**
   * An admin sets a user's password: the token version is raised (every access token issued before stops
   * working on its next request) and every refresh token is revoked; the audit entry is in the same transaction.
   */
  async resetPassword(id: string, password: string, audit?: AuditRequestContext, actor?: Actor): Promise<void> {
    requireSignedInAdmin(actor, 'Setting a password');
    const passwordHash = await this.passwords.hash(password);
    await this.dataSource.transaction(async (em) => {
      const user = await em.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new UserNotFoundError();
      await em.update(UserEntity, { id }, { passwordHash, tokenVersion: user.tokenVersion + 1 });
      await this.refreshTokens.revokeAllOf(em, id);
      await this.audit.record(
        { action: 'user.password_reset', outcome: 'success', resourceType: 'user', resourceId: id },
        em,
        audit,
      );
    });
    await this.authStates.invalidate(id);
  }

  async adminExists(): Promise<boolean> {
    return this.repo.exists({ where: { role: 'admin' } });
  }
}
