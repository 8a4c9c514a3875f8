import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, MoreThan } from 'typeorm';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';

/** A refresh token as stored: its hash, never its text. */
export type StoredRefreshToken = Pick<
  RefreshTokenEntity,
  'id' | 'userId' | 'familyId' | 'tokenHash' | 'expiresAt' | 'usedAt' | 'revokedAt'
>;

/** What a new refresh token is stored as. */
export type NewRefreshToken = Pick<RefreshTokenEntity, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>;

/**
 * Every statement on `refresh_tokens`, each in the caller's transaction ({@link transaction} for sign-in,
 * refresh and logout; the users' own for a change that signs a user out everywhere), so a token changes
 * exactly when its audit entry is written; only {@link liveFamilyOwner}, which changes nothing, reads on its own.
 */
@Injectable()
export class RefreshTokenRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction; its manager goes to every statement that belongs in it. */
  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The token with this hash, locked until the transaction ends: of two refreshes with it, one waits. */
  lockByHash(em: EntityManager, tokenHash: string): Promise<StoredRefreshToken | null> {
    return em.findOne(RefreshTokenEntity, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  findByHash(em: EntityManager, tokenHash: string): Promise<StoredRefreshToken | null> {
    return em.findOneBy(RefreshTokenEntity, { tokenHash });
  }

  async insert(em: EntityManager, token: NewRefreshToken): Promise<void> {
    await em.insert(RefreshTokenEntity, token);
  }

  /** Marks the token exchanged: presenting it again is reuse. */
  async markUsed(em: EntityManager, id: string): Promise<void> {
    await em.update(RefreshTokenEntity, { id }, { usedAt: new Date() });
  }

  /**
   * The user whose login the family stands for, while it holds (one of its tokens is neither revoked nor
   * expired); null once it ended, or for no such family. Read outside any transaction, whenever a process has no
   * fresh answer cached (LoginSessions).
   */
  async liveFamilyOwner(familyId: string): Promise<string | null> {
    const live = await this.dataSource.manager.findOne(RefreshTokenEntity, {
      select: { userId: true },
      where: { familyId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
    });
    return live?.userId ?? null;
  }

  /**
   * Revokes every token of the family that is not revoked yet, including one that a refresh under way is adding:
   * that refresh holds its presented token's lock, so the first statement waits for it to commit, and the
   * second, which reads what was committed when it began, sees the token it added. (One statement would
   * re-check only the rows it saw before waiting, and leave the new token live.)
   */
  async revokeFamily(em: EntityManager, familyId: string): Promise<void> {
    for (let pass = 0; pass < 2; pass += 1)
      await em.update(RefreshTokenEntity, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Revokes every token of the user that is not revoked yet: they are signed out everywhere. */
  async revokeAllOf(em: EntityManager, userId: string): Promise<void> {
    await em.update(RefreshTokenEntity, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
