import { loadConfig } from '../src/config/app-config';
import { RedisConnectionFactory } from '../src/redis/redis-connection.factory';
import { OwnRedis } from './utils/own-redis';

/**
 * The rate limiter's connection (every API request meets it first) refuses a count at once while Redis is away,
 * but the counts of a process's first requests, sent while it still connects, wait for it.
 */
describe("the rate limiter's Redis connection", () => {
  const redis = new OwnRedis();
  let factory: RedisConnectionFactory;

  beforeAll(async () => {
    await redis.start();
    factory = new RedisConnectionFactory(loadConfig({ REDIS_URL: redis.url, REDIS_PREFIX: 'throttler-connection' }));
  });
  afterAll(async () => {
    await factory?.onApplicationShutdown();
    await redis.stopEmpty();
  });

  it('takes a command sent while it connects, and refuses one at once once Redis is gone', async () => {
    const connection = factory.create('throttler');
    expect(connection.status).not.toBe('ready');
    expect(await connection.incr('hits')).toBe(1);

    await redis.stopEmpty();
    // Refused, not held until the command timeout ("Command timed out") or the reconnection attempts.
    await expect(connection.incr('hits')).rejects.toThrow(
      /^(Stream isn't writeable and enableOfflineQueue options is false|Connection is closed\.)$/,
    );
  });
});
