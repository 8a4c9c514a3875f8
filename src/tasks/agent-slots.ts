import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';

/**
 * Leases that cap how many tasks of one agent run at once across every worker. A lease expires by
 * itself, so a worker that dies cannot hold a slot forever.
 * KEYS: the agent's lease set. ARGV: task id, limit, now (ms), lease length (ms).
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[3] + ARGV[4], ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3] + ARGV[4], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

@Injectable()
export class AgentSlots {
  private readonly acquireSlot: LuaCommand;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.acquireSlot = luaCommand(redis, 'ymeraAcquireAgentSlot', 1, ACQUIRE);
  }

  async acquire(agentId: string, taskId: string, limit: number, leaseMs: number): Promise<boolean> {
    const granted = await this.acquireSlot(
      `agent-slots:${agentId}`,
      taskId,
      String(limit),
      String(Date.now()),
      String(leaseMs),
    );
    return granted === 1;
  }

  async release(agentId: string, taskId: string): Promise<void> {
    await this.redis.zrem(`agent-slots:${agentId}`, taskId);
  }
}
