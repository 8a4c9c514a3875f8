import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import { requireSignedIn } from '../auth/auth.errors';
import { keyIdOf, type Principal } from '../auth/principal';
import type { ChangeCheck } from '../audit/owned-records';
import { safeEqualHex, sha256Hex } from '../common/crypto/hashing';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationFailedError } from '../common/errors/app.error';
import { UsersService } from '../users/users.service';
import type { CreateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyEntity } from './entities/api-key.entity';

/**
 * The most API keys a user may hold at once (not revoked, not expired). Each key has its own rate-limit budget,
 * so this bounds how far one user's keys together can go past a user's limit.
 */
export const MAX_ACTIVE_API_KEYS = 25;

const KEY_PATTERN = /^ymk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** lastUsedAt is kept to the minute: one write per key per minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What a revocation stops besides the key, by kind, as its audit entry and {@link ApiKeysService.wouldStop} count them. */
export const REVOCATION_KINDS = ['pausedSchedules', 'disabledWebhooks', 'pausedWorkflowTriggers'] as const;
export type RevocationKind = (typeof REVOCATION_KINDS)[number];

/** What a key's revocation stopped of one kind of record, and what is left to do once it has committed. */
export interface RevocationStop {
  /** How many records of the kind it stopped. */
  count: number;
  afterCommit?: () => Promise<void>;
}

/** One kind of record a revocation stops: those `keyId` created or last changed. */
export interface RevocationHandler {
  kind: RevocationKind;
  /** Stops them in the revocation's transaction, with an audit entry for each. */
  stop(em: EntityManager, keyId: string, context?: AuditRequestContext): Promise<RevocationStop>;
  /** How many it would stop now. */
  count(keyId: string): Promise<number>;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly revocationHandlers: RevocationHandler[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {}

  /**
   * Registers what a revocation stops besides the key itself. Schedules, webhook endpoints and workflow triggers
   * register here, so that a leaked key's revocation also ends what it set running (a schedule starting work, an
   * endpoint receiving a user's results).
   */
  whenRevoked(handler: RevocationHandler): void {
    this.revocationHandlers.push(handler);
  }

  /**
   * Who a change of a schedule or webhook endpoint is made by, as the record keeps it: the caller's API key
   * (null for a signed-in user, whose change clears a key's mark), and the check that holds that key live
   * through the change's transaction.
   */
  changeBy(principal: Principal): { changedWithKeyId: string | null; check?: ChangeCheck } {
    const keyId = keyIdOf(principal);
    return keyId ? { changedWithKeyId: keyId, check: (em) => this.holdLive(em, keyId) } : { changedWithKeyId: null };
  }

  /** The scopes a key was created with (they never change; revoked or not), or undefined when there is no such key. */
  async scopesOf(id: string): Promise<ApiKeyEntity['scopes'] | undefined> {
    return (await this.repo.findOne({ where: { id }, select: { id: true, scopes: true } }))?.scopes;
  }

  /**
   * For a change made with an API key, in the change's transaction: holds the key's row (FOR KEY SHARE) until it
   * commits, so that a revocation at the same moment waits for the change and then stops what it made. A key
   * revoked since the request was authenticated is refused (401).
   */
  private async holdLive(em: EntityManager, keyId: string): Promise<void> {
    // KEY SHARE: enough to hold off a revocation's FOR UPDATE, not the lastUsedAt write of the key's other calls.
    const rows = (await em.query(`SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NULL FOR KEY SHARE`, [
      keyId,
    ])) as unknown[];
    if (!rows.length) throw new UnauthenticatedError('This API key has been revoked');
  }

  private get repo() {
    return this.dataSource.getRepository(ApiKeyEntity);
  }

  async create(
    owner: Principal,
    input: CreateApiKeyDto,
    audit?: AuditRequestContext,
  ): Promise<{ entity: ApiKeyEntity; key: string }> {
    // A key made by a key would outlive it: revoking a leaked key must end what it can do.
    requireSignedIn(owner, 'Creating an API key');
    const outside = input.scopes.filter((scope) => !owner.permissions.has(scope));
    if (outside.length) {
      throw new ValidationFailedError(
        outside.map((scope) => ({
          field: `/scopes/${input.scopes.indexOf(scope)}`,
          message: `you do not hold ${scope}`,
        })),
        'Scopes must be a subset of your own permissions',
      );
    }
    const expiresAt = input.expiresAt;
    const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const key = `ymk_${prefix}_${secret}`;
    const entity = await this.dataSource.transaction(async (em) => {
      // One user's creations in turn, so that two at once cannot both be the last one allowed.
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('api_keys:' || $1, 0))`, [owner.userId]);
      const [{ n }] = (await em.query(
        `SELECT count(*)::int AS n FROM api_keys
          WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [owner.userId],
      )) as { n: number }[];
      if (n >= MAX_ACTIVE_API_KEYS)
        throw new ConflictError(
          `You have ${MAX_ACTIVE_API_KEYS} active API keys, the most a user may: revoke one first`,
        );
      const saved = await em.save(
        em.create(ApiKeyEntity, {
          userId: owner.userId,
          name: input.name,
          prefix: `ymk_${prefix}`,
          keyHash: sha256Hex(key),
          scopes: input.scopes,
          expiresAt: expiresAt ?? null,
        }),
      );
      await this.audit.record(
        {
          action: 'apikey.create',
          outcome: 'success',
          resourceType: 'apiKey',
          resourceId: saved.id,
          details: { name: saved.name, scopes: saved.scopes, prefix: saved.prefix },
        },
        em,
        audit,
      );
      return saved;
    });
    return { entity, key };
  }

  /** Keys are visible to their owner only; an admin sees everyone's. */
  async list(owner: Principal, skip: number, limit: number, all = false): Promise<[ApiKeyEntity[], number]> {
    return this.repo.findAndCount({
      where: { ...(all ? {} : { userId: owner.userId }), revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
      skip,
      take: limit,
    });
  }

  /**
   * Another user's key is reported as missing, not forbidden. Unless `keepRunning`, the schedules, webhook
   * endpoints and workflow triggers the key created or last changed stop with it, in the same transaction.
   */
  async revoke(
    owner: Principal,
    id: string,
    options: { asAdmin?: boolean; keepRunning?: boolean } = {},
    audit?: AuditRequestContext,
  ): Promise<void> {
    // A leaked key must not be able to end its own revocation's safeguard: keeping things running is a user's call.
    if (options.keepRunning) requireSignedIn(owner, 'Keeping what a revoked key set running');
    const { userId, stops } = await this.dataSource.transaction(async (em) => {
      const key = await em.findOne(ApiKeyEntity, {
        where: { id, revokedAt: IsNull(), ...(options.asAdmin ? {} : { userId: owner.userId }) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!key) throw new NotFoundError('API key');
      await em.update(ApiKeyEntity, { id }, { revokedAt: new Date() });
      const stopped: (RevocationStop & { kind: RevocationKind })[] = [];
      if (!options.keepRunning)
        for (const { kind, stop } of this.revocationHandlers) stopped.push({ kind, ...(await stop(em, id, audit)) });
      await this.audit.record(
        {
          action: 'apikey.revoke',
          outcome: 'success',
          resourceType: 'apiKey',
          resourceId: id,
          details: {
            prefix: key.prefix,
            keptRunning: options.keepRunning === true,
            ...Object.fromEntries(stopped.map((stop) => [stop.kind, stop.count])),
          },
        },
        em,
        audit,
      );
      return { userId: key.userId, stops: stopped };
    });
    // What the key's streams are checked against changed (see LiveSessions): they end at once.
    await this.users.authStateChanged(userId);
    // Done: what follows tells the processes' caches and Redis, which catch up on their own if it fails.
    await Promise.all(
      stops.map((stop) =>
        stop.afterCommit?.().catch((err: Error) => this.logger.warn(`after revoking key ${id}: ${err.message}`)),
      ),
    );
  }

  /**
   * What revoking the key now would stop besides it, by kind (nothing is changed). The same keys as
   * {@link revoke}: another user's key is reported as missing.
   */
  async wouldStop(owner: Principal, id: string, asAdmin = false): Promise<Record<RevocationKind, number>> {
    const key = await this.repo.findOneBy({ id, revokedAt: IsNull(), ...(asAdmin ? {} : { userId: owner.userId }) });
    if (!key) throw new NotFoundError('API key');
    const counts = Object.fromEntries(REVOCATION_KINDS.map((kind) => [kind, 0])) as Record<RevocationKind, number>;
    for (const { kind, count } of this.revocationHandlers) counts[kind] += await count(id);
    return counts;
  }

  /** The live key for a presented secret, or undefined (unknown, revoked, expired or malformed). */
  async resolve(presented: string): Promise<ApiKeyEntity | undefined> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return undefined;
    const key = await this.repo.findOneBy({ prefix: `ymk_${match[1]}` });
    if (!key || key.revokedAt || !safeEqualHex(key.keyHash, sha256Hex(presented))) return undefined;
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) return undefined;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      key.lastUsedAt = new Date();
      // Only while still live: a revocation that committed while this waited for the row ends the call too.
      const result = await this.repo.update({ id: key.id, revokedAt: IsNull() }, { lastUsedAt: key.lastUsedAt });
      if (!result.affected) return undefined;
    }
    return key;
  }
}
