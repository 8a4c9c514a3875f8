import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { luaCommand } from './lua-command';

/** Deletes the lock only while it still holds this holder's token. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * Runs `work` while holding `key` for at most `ttlMs`, or returns `undefined` at once when another process
 * holds it. The release is token-checked: a holder whose lock expired mid-work never deletes the lock a
 * later holder took.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
  try {
    return await work();
  } finally {
    await luaCommand(redis, 'ymeraReleaseLock', 1, RELEASE)(key, token);
  }
}
