import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';
import { slotTag } from '../redis/slot-tag';
import { StaleLeases } from './stale-leases';

/**
 * Takes a slot of one (agent, concurrency key), or parks the task as waiting for one.
 * KEYS: the key's lease set, its parked set. ARGV: task id, limit, now (ms), lease length (ms).
 * Returns 1 when the slot is held (a lease held already is renewed), 0 when the task was parked.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3] + ARGV[4], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 0
`;

/**
 * Gives the task's slot back and, when `wake` is 1, hands back the task parked longest (taken out of the
 * parked set), for its job to be woken. KEYS: the lease set, the parked set. ARGV: task id, wake.
 */
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '1' then return false end
local next = redis.call('ZPOPMIN', KEYS[2])
return next[1] or false
`;

/**
 * Leases that cap how many tasks of one agent with the same concurrency key run at once, across every
 * worker. A task that finds the key full is parked: its job waits delayed, and the task whose slot frees
 * first wakes the longest parked one (see TaskRunner). A lease expires by itself, so a worker that dies
 * cannot hold a slot forever; a parked job also looks again by itself after a while, should its wake-up be
 * lost (a worker dying between release and wake, a job still being put back when woken). A key that parks a
 * task is checked for leases whose release was lost ({@link StaleLeases}).
 */
@Injectable()
export class KeySlots {
  private readonly acquireSlot: LuaCommand;
  private readonly releaseSlot: LuaCommand;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly stale: StaleLeases,
  ) {
    this.acquireSlot = luaCommand(redis, 'ymeraAcquireKeySlot', 2, ACQUIRE);
    this.releaseSlot = luaCommand(redis, 'ymeraReleaseKeySlot', 2, RELEASE);
  }

  /** The lease set and the parked set of a key: one script touches both, so on a cluster they share a slot. */
  private keys(agentId: string, key: string): [string, string] {
    const tag = slotTag(this.redis, `${agentId}:${key}`);
    return [`key-slots:${tag}`, `key-parked:${tag}`];
  }

  /** True when the task holds a slot of the key; false when it was parked to wait for one. */
  async acquire(agentId: string, key: string, taskId: string, limit: number, leaseMs: number): Promise<boolean> {
    const keys = this.keys(agentId, key);
    const granted = await this.acquireSlot(...keys, taskId, String(limit), String(Date.now()), String(leaseMs));
    if (granted !== 1) this.stale.check(keys[0]);
    return granted === 1;
  }

  /** Gives the slot back; with `wake`, returns the parked task to wake, if any. */
  async release(agentId: string, key: string, taskId: string, wake: boolean): Promise<string | undefined> {
    const next = await this.releaseSlot(...this.keys(agentId, key), taskId, wake ? '1' : '0');
    return typeof next === 'string' ? next : undefined;
  }

  /** Takes the longest parked task of the key out of the parked set, for its job to be woken. */
  async nextParked(agentId: string, key: string): Promise<string | undefined> {
    const [id] = await this.redis.zpopmin(this.keys(agentId, key)[1]);
    return id;
  }
}
