import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { MicroBatcher } from '../database/micro-batcher';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';
import { StaleLeases } from './stale-leases';

/**
 * Leases that cap how many tasks of one agent run at once across every worker. A lease expires by
 * itself, so a worker that dies cannot hold a slot forever; a set that turns a task away is checked for
 * leases whose release was lost ({@link StaleLeases}). Asks of one agent made together are one call,
 * answered in their order as if each had been its own.
 * KEYS: the agent's lease set. ARGV: now (ms), limit, then a task id and its lease length (ms) per ask.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local granted = {}
local longest = 0
for i = 3, #ARGV, 2 do
  local lease = tonumber(ARGV[i + 1])
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
    granted[#granted + 1] = 1
  elseif redis.call('ZCARD', KEYS[1]) >= limit then
    granted[#granted + 1] = 0
  else
    redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
    granted[#granted + 1] = 1
    if lease > longest then longest = lease end
  end
end
if longest > 0 then redis.call('PEXPIRE', KEYS[1], longest) end
return granted
`;

interface Ask {
  agentId: string;
  taskId: string;
  limit: number;
  leaseMs: number;
}

type Lease = Pick<Ask, 'agentId' | 'taskId'>;

/** Items by a key, each group's items in their order. */
function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, { item: T; index: number }[]> {
  const groups = new Map<string, { item: T; index: number }[]>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push({ item, index });
    else groups.set(key, [{ item, index }]);
  });
  return groups;
}

@Injectable()
export class AgentSlots {
  private readonly acquireSlots: LuaCommand;
  /** Asks of the jobs a worker takes together: one script call per agent, not one per task. */
  private readonly asks = new MicroBatcher<Ask, boolean>((asks) => this.acquireMany(asks), { retryEachItem: false });
  /** Releases made together: one ZREM per agent. */
  private readonly releases = new MicroBatcher<Lease, void>((leases) => this.releaseMany(leases), {
    retryEachItem: false,
  });

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly stale: StaleLeases,
  ) {
    this.acquireSlots = luaCommand(redis, 'ymeraAcquireAgentSlots', 1, ACQUIRE);
  }

  acquire(agentId: string, taskId: string, limit: number, leaseMs: number): Promise<boolean> {
    return this.asks.submit({ agentId, taskId, limit, leaseMs });
  }

  release(agentId: string, taskId: string): Promise<void> {
    return this.releases.submit({ agentId, taskId });
  }

  private async acquireMany(asks: Ask[]): Promise<boolean[]> {
    const granted: boolean[] = new Array<boolean>(asks.length);
    const now = String(Date.now());
    await Promise.all(
      // An agent whose limit changed meanwhile has asks with either limit: each limit is its own call.
      [...groupBy(asks, (a) => `${a.agentId} ${a.limit}`).values()].map(async (group) => {
        const { agentId, limit } = group[0].item;
        const args = group.flatMap(({ item }) => [item.taskId, String(item.leaseMs)]);
        const key = `agent-slots:${agentId}`;
        const answers = (await this.acquireSlots(key, now, String(limit), ...args)) as number[];
        if (answers.includes(0)) this.stale.check(key);
        group.forEach(({ index }, i) => (granted[index] = answers[i] === 1));
      }),
    );
    return granted;
  }

  private async releaseMany(leases: Lease[]): Promise<void[]> {
    await Promise.all(
      [...groupBy(leases, (l) => l.agentId).values()].map((group) =>
        this.redis.zrem(`agent-slots:${group[0].item.agentId}`, ...group.map(({ item }) => item.taskId)),
      ),
    );
    return leases.map(() => undefined);
  }
}
