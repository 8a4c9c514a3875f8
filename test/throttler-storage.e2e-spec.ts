import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisThrottlerStorage } from '../src/throttling/redis-throttler.storage';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The shared rate-limit counters, against a real Redis: a block outlasts a raised limit, no block does not. */
describe('RedisThrottlerStorage', () => {
  const prefix = `ymera-test-throttler-${randomUUID()}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix });
  const storage = new RedisThrottlerStorage(redis);

  afterAll(async () => {
    const plain = new Redis(REDIS_URL);
    const keys = await plain.keys(`${prefix}*`);
    if (keys.length) await plain.unlink(...keys);
    plain.disconnect();
    redis.disconnect();
  });

  it('blocks for blockDuration once over the limit, whatever the limit is next', async () => {
    const hits = await Promise.all([1, 2, 3].map(() => storage.increment('blocking', 60_000, 2, 30_000)));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(hits[2].timeToBlockExpire).toBe(30);
    expect(await redis.pttl('throttle:blocking:block')).toBeGreaterThan(29_000);
    // A limit raised meanwhile does not lift the block.
    const next = await storage.increment('blocking', 60_000, 10, 30_000);
    expect(next).toMatchObject({ totalHits: 4, isBlocked: true });
  });

  it('with NO_BLOCK judges each hit by its count alone and writes no block', async () => {
    const { NO_BLOCK } = RedisThrottlerStorage;
    const hits = await Promise.all([1, 2, 3].map(() => storage.increment('counted', 60_000, 2, NO_BLOCK)));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    // Refused until the window ends: that is when it may try again.
    expect(hits[2].timeToBlockExpire).toBe(hits[2].timeToExpire);
    expect(hits[2].timeToExpire).toBeGreaterThan(55);
    expect(await redis.exists('throttle:counted:block')).toBe(0);
    // A limit raised takes the next hit at once.
    expect(await storage.increment('counted', 60_000, 5, NO_BLOCK)).toMatchObject({
      totalHits: 4,
      isBlocked: false,
    });
  });
});
