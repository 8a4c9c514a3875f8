import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';

/**
 * Fixed-window counter with blocking, in one atomic script, so every API instance shares one budget.
 * KEYS: hits key, block key. ARGV: window ms, limit, block ms.
 * Returns: hits, ms left in the window, blocked (0/1), ms left in the block.
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then return {hits, ttl, 1, blockTtl} end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly incrementScript: LuaCommand;

  constructor(@Inject(REDIS) redis: Redis) {
    this.incrementScript = luaCommand(redis, 'ymeraThrottleIncrement', 2, INCREMENT);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number) {
    const [hits, windowMs, blocked, blockMs] = (await this.incrementScript(
      `throttle:${key}:hits`,
      `throttle:${key}:block`,
      String(ttl),
      String(limit),
      String(blockDuration),
    )) as [number, number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(windowMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }
}
