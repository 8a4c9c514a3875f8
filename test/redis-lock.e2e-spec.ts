import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { luaCommand } from '../src/redis/lua-command';
import { withRedisLock } from '../src/redis/redis-lock';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('withRedisLock (real Redis)', () => {
  const prefix = `ymera-test-lock-${randomBytes(4).toString('hex')}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { keyPrefix: prefix });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    redis.disconnect();
  });

  it('runs the work once at a time and frees the lock afterwards', async () => {
    let inside = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++inside);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inside--;
      return 'done';
    };
    const results = await Promise.all([1, 2, 3].map(() => withRedisLock(redis, 'one', 5000, work)));
    expect(most).toBe(1);
    expect(results.filter((r) => r === 'done')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(await redis.exists('one')).toBe(0);
    expect(await withRedisLock(redis, 'one', 5000, () => Promise.resolve(42))).toBe(42);
  });

  it("never releases a lock a later holder took after the first one's expired", async () => {
    const result = await withRedisLock(redis, 'expiring', 100, async () => {
      await new Promise((resolve) => setTimeout(resolve, 250));
      // The first holder's lock expired; another process holds it now.
      expect(await redis.set('expiring', 'other-holder', 'PX', 10_000, 'NX')).toBe('OK');
      return 'late';
    });
    expect(result).toBe('late');
    expect(await redis.get('expiring')).toBe('other-holder');
  });

  it('frees the lock when the work throws', async () => {
    await expect(withRedisLock(redis, 'throws', 5000, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await redis.exists('throws')).toBe(0);
  });
});

describe('Lua commands on an auto-pipelining connection (real Redis)', () => {
  it('runs one defined while an auto-pipeline is being filled, and that pipeline still answers', async () => {
    const prefix = `ymera-test-lua-${randomBytes(4).toString('hex')}:`;
    const redis = new Redis(REDIS_URL, { keyPrefix: prefix, enableAutoPipelining: true });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      await redis.ping();
      // The SET opens an auto-pipeline; the command is defined and called before that pipeline is sent.
      const set = redis.set('k', 'v');
      const echo = luaCommand(redis, `ymeraTestEcho${randomBytes(4).toString('hex')}`, 1, 'return ARGV[1]');
      await expect(echo('k', 'hi')).resolves.toBe('hi');
      await expect(set).resolves.toBe('OK');
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await redis.del('k');
      redis.disconnect();
    }
  }, 10_000);
});
