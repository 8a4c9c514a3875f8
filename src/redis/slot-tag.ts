import type Redis from 'ioredis';

/**
 * The part of a key that decides its hash slot. On a Redis Cluster, keys one script touches together must share
 * a slot, so each gets the same `{tag}` (Redis then hashes only what is inside the braces). A single Redis server
 * has no slots: there the tag stays plain, and key names are what they always were.
 */
export function slotTag(redis: Pick<Redis, 'isCluster'>, tag: string): string {
  return redis.isCluster ? `{${tag}}` : tag;
}
