import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ConflictError } from './errors/app.error';

/** How many rows of a table one user may have (their API keys' count as theirs). */
export interface PerUserLimit {
  /** 0: no limit. */
  max: number;
  /** The setting that says so, named in the refusal. */
  setting: string;
  /** What the rows are, in the plural ("workflows"). */
  noun: string;
}

/** The statement that counts one user's live rows of `entity` (its one parameter: the creator's id). */
export function liveRowsOfCreator<E extends ObjectLiteral>(em: EntityManager, entity: EntityTarget<E>): string {
  const meta = em.connection.getMetadata(entity);
  const creator = meta.findColumnWithPropertyName('createdBy')?.databaseName ?? 'created_by';
  const deleted = meta.findColumnWithPropertyName('deletedAt')?.databaseName;
  return `SELECT count(*)::int AS n FROM "${meta.tableName}" WHERE "${creator}" = $1${deleted ? ` AND "${deleted}" IS NULL` : ''}`;
}

/**
 * Refuses (409) a creation that would give `createdBy` more than `limit.max` rows of `entity` (deleted ones, a
 * `deletedAt` set, do not count). Run in the creation's transaction: one user's creations of a table take turns
 * (a transaction-scoped advisory lock), so that two at once cannot both be the last one allowed. The count reads
 * an index on the creator (partial, of live rows, where rows are marked deleted).
 */
export async function refuseBeyondLimit<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  createdBy: string,
  limit: PerUserLimit,
): Promise<void> {
  if (!limit.max) return;
  const { tableName } = em.connection.getMetadata(entity);
  await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${tableName}:${createdBy}`]);
  const [{ n }] = (await em.query(liveRowsOfCreator(em, entity), [createdBy])) as { n: number }[];
  if (n >= limit.max)
    throw new ConflictError(
      `You have ${n} ${limit.noun}, the most a user may is ${limit.max} (${limit.setting}): delete one first`,
    );
}
