import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { MicroBatcher } from '../database/micro-batcher';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';
import { slotTag } from '../redis/slot-tag';

/**
 * Fixed-window counters with blocking, for several keys in one atomic script, so every API instance
 * shares one budget. Each key is counted `count` times at once, exactly as `count` single hits in a row.
 * KEYS: per key, its hits key and its block key. ARGV: per key, window ms, limit, block ms (0: no block is
 * kept, each hit is judged by the count alone), count.
 * Returns per key: hits after counting, ms left in the window, ms left in a block that was already on
 * before these hits (0 if none).
 */
const INCREMENT_MANY = `
local out = {}
for i = 1, #KEYS / 2 do
  local hitsKey, blockKey = KEYS[2 * i - 1], KEYS[2 * i]
  local window, limit = tonumber(ARGV[4 * i - 3]), tonumber(ARGV[4 * i - 2])
  local block, count = tonumber(ARGV[4 * i - 1]), tonumber(ARGV[4 * i])
  local hits = redis.call('INCRBY', hitsKey, count)
  if hits == count then redis.call('PEXPIRE', hitsKey, window) end
  local ttl = redis.call('PTTL', hitsKey)
  if ttl < 0 then redis.call('PEXPIRE', hitsKey, window); ttl = window end
  local blockTtl = redis.call('PTTL', blockKey)
  if blockTtl < 0 then blockTtl = 0 end
  if blockTtl == 0 and hits > limit and block > 0 then redis.call('SET', blockKey, '1', 'PX', block) end
  out[#out + 1] = hits
  out[#out + 1] = ttl
  out[#out + 1] = blockTtl
end
return out
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Hit {
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

/**
 * Rate-limit counters in Redis. Hits that arrive together are counted in one script call, and hits on
 * the same key with one INCRBY: under load the API makes one round trip for many requests, and each
 * request still gets its own exact count (the order they arrived in). On a Redis Cluster a key's two counters
 * share a slot (a hash tag) but different keys do not, so there each key gets its own script call (the calls
 * still leave together, auto-pipelined per node).
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  /** `increment`'s `blockDuration` for a limit judged by each hit's count alone: nothing is written for a block. */
  static readonly NO_BLOCK = 0;

  private readonly incrementMany: LuaCommand;
  private readonly hits = new MicroBatcher<Hit, ThrottlerStorageRecord>((batch) => this.count(batch), {
    maxSize: 500,
    maxInFlight: 4,
    // A script that failed part way has counted some keys already: counting them again would overcount.
    retryEachItem: false,
  });

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.incrementMany = luaCommand(redis, 'ymeraThrottleIncrementMany', null, INCREMENT_MANY);
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    return this.hits.submit({ key, ttl, limit, blockDuration });
  }

  private async count(batch: Hit[]): Promise<ThrottlerStorageRecord[]> {
    const byKey = new Map<string, number[]>();
    batch.forEach((hit, index) => {
      const positions = byKey.get(hit.key);
      if (positions) positions.push(index);
      else byKey.set(hit.key, [index]);
    });
    const calls = [...byKey].map(([key, positions]) => {
      const { ttl, limit, blockDuration } = batch[positions[0]];
      const tag = slotTag(this.redis, key);
      return {
        keys: [`throttle:${tag}:hits`, `throttle:${tag}:block`],
        args: [String(ttl), String(limit), String(blockDuration), String(positions.length)],
      };
    });
    const out = this.redis.isCluster
      ? (await Promise.all(calls.map((c) => this.incrementMany('2', ...c.keys, ...c.args) as Promise<number[]>))).flat()
      : ((await this.incrementMany(
          String(calls.length * 2),
          ...calls.flatMap((c) => c.keys),
          ...calls.flatMap((c) => c.args),
        )) as number[]);
    const records = new Array<ThrottlerStorageRecord>(batch.length);
    let k = 0;
    for (const positions of byKey.values()) {
      const hitsAfter = out[3 * k];
      const windowMs = out[3 * k + 1];
      const blockedMs = out[3 * k + 2];
      const { limit, blockDuration } = batch[positions[0]];
      positions.forEach((index, i) => {
        const totalHits = hitsAfter - positions.length + 1 + i;
        // A block already on stops every hit; otherwise a hit over the limit starts (or meets) a new one, or,
        // with no block (a `blockDuration` of 0), is refused until the window ends (or the limit is raised).
        const over = totalHits > limit ? blockDuration || windowMs : 0;
        const blockMs = blockedMs > 0 ? blockedMs : over;
        records[index] = {
          totalHits,
          timeToExpire: Math.ceil(windowMs / 1000),
          isBlocked: blockMs > 0,
          timeToBlockExpire: Math.ceil(blockMs / 1000),
        };
      });
      k += 1;
    }
    return records;
  }
}
