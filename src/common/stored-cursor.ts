import type Redis from 'ioredis';

/**
 * Where a periodic pass stopped, kept in Redis for the next pass, whichever worker runs it. What is read back is
 * taken only when `parse` accepts it: a value Redis holds that is not one (garbled, or written by another
 * version) counts as lost, like a missing one, so a pass never fails on it for as long as it is kept.
 */
export class StoredCursor<C> {
  constructor(
    private readonly redis: Pick<Redis, 'get' | 'set' | 'del'>,
    private readonly key: string,
    private readonly ttlMs: number,
    /** The cursor a stored JSON value is, or undefined when it is not one. */
    private readonly parse: (value: unknown) => C | undefined,
  ) {}

  /** The cursor kept, or undefined when there is none (or none that parses). */
  async read(): Promise<C | undefined> {
    const stored = await this.redis.get(this.key);
    if (stored === null) return undefined;
    try {
      return this.parse(JSON.parse(stored));
    } catch {
      return undefined;
    }
  }

  /** Keeps `cursor` (as its JSON) for the next pass; undefined forgets it, so the next starts from the beginning. */
  async write(cursor: C | undefined): Promise<void> {
    if (cursor === undefined) await this.redis.del(this.key);
    else await this.redis.set(this.key, JSON.stringify(cursor), 'PX', this.ttlMs);
  }
}

/** The members of a stored JSON object, or undefined when it is not one. */
export const storedObject = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
