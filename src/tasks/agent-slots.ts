import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { AgentNotFoundError } from '../agents/agents.errors';
import { AgentsService } from '../agents/agents.service';
import { MicroBatcher } from '../database/micro-batcher';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';
import type { AgentChanges, JobWaker } from './ports';
import { StaleLeases } from './stale-leases';
import { parkedRecheckMs } from './parked-recheck';
import { TaskQueue } from './task-queue';

/**
 * Leases that cap how many tasks of one agent run at once across every worker. A lease expires by
 * itself, so a worker that dies cannot hold a slot forever; a set that turns a task away is checked for
 * leases whose release was lost ({@link StaleLeases}). Asks of one agent made together are one call,
 * answered in their order as if each had been its own. A task turned away is parked (the agent's parked
 * set, its job delayed by the runner): each release wakes as many parked tasks as it frees slots, by priority
 * then the longest parked first; so does a raise of the agent's concurrency, and its deletion wakes them all (to
 * fail). A parked task looks again by itself should its wake-up be lost, later as more are parked: however many
 * wait, they cost about the same.
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

/** How long an agent's parked set lives with no task parked again (each looks again well within it). */
const PARKED_TTL_MS = 600_000;
/** Rounds of wake-ups after a release, passing over parked tasks whose job is gone or not waiting any more. */
const MAX_WAKE_TRIES = 5;
/** Parked tasks of a deleted agent woken per round trip. */
const WAKE_BATCH = 500;
/** Agents whose slots this process remembers (the longest unused forgotten first). */
const MAX_KNOWN = 10_000;

interface Ask {
  agentId: string;
  taskId: string;
  limit: number;
  leaseMs: number;
  /** The task's priority (1 first; 0 none, after every other): parked tasks are woken in its order. */
  priority: number;
}

/** A task parked for a slot looks again by itself after 2 s, longer as more are parked (at most a minute). */
const RECHECK_MS = 2000;
const RECHECK_MAX_MS = 60_000;
/** How many parked tasks of one agent look again by themselves per second, together. */
const RECHECKS_PER_SECOND = 100;
/** A parked task's score: its priority first (1 first, none last), then when it was parked. */
const PRIORITY_SPAN = 1e13;

type Lease = Pick<Ask, 'agentId' | 'taskId'>;

/** What this process knows of an agent's slots: how many tasks were parked when it last parked one, and the limit. */
interface Known {
  parked: number;
  limit: number;
}

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
export class AgentSlots implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly acquireSlots: LuaCommand;
  /** By agent, as last asked or parked here (a recheck's delay grows with the parked count); bounded. */
  private readonly known = new Map<string, Known>();
  private stop?: () => void;
  /** Asks of the jobs a worker takes together: one script call per agent, not one per task. */
  private readonly asks = new MicroBatcher<Ask, boolean>((asks) => this.acquireMany(asks), { retryEachItem: false });
  /** Releases made together: one ZREM per agent. */
  private readonly releases = new MicroBatcher<Lease, void>((leases) => this.releaseMany(leases), {
    retryEachItem: false,
  });

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly stale: StaleLeases,
    @Inject(TaskQueue) private readonly queue: JobWaker,
    @Inject(AgentsService) private readonly agents: AgentChanges,
  ) {
    this.acquireSlots = luaCommand(redis, 'ymeraAcquireAgentSlots', 1, ACQUIRE);
  }

  onApplicationBootstrap(): void {
    this.stop = this.agents.onChange((id) => {
      if (id !== undefined) void this.changed(id).catch(() => undefined);
    });
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  /** Takes a slot of the agent for the task; false when they are all taken (the task is then parked). */
  acquire(agentId: string, taskId: string, limit: number, leaseMs: number, priority = 0): Promise<boolean> {
    return this.asks.submit({ agentId, taskId, limit, leaseMs, priority });
  }

  /** How long a task the agent's slots turned away waits before it looks again by itself. */
  recheckMs(agentId: string): number {
    return parkedRecheckMs(this.known.get(agentId)?.parked ?? 1, RECHECK_MS, RECHECK_MAX_MS, RECHECKS_PER_SECOND);
  }

  release(agentId: string, taskId: string): Promise<void> {
    return this.releases.submit({ agentId, taskId });
  }

  private async acquireMany(asks: Ask[]): Promise<boolean[]> {
    const granted: boolean[] = new Array<boolean>(asks.length);
    await Promise.all(
      // An agent whose limit changed meanwhile has asks with either limit: each limit is its own call.
      [...groupBy(asks, (a) => `${a.agentId} ${a.limit}`).values()].map(async (group) => {
        const items = group.map(({ item }) => item);
        this.note(items[0].agentId, { limit: items[0].limit });
        const answers = await this.ask(items);
        const refused = items.filter((_, i) => !answers[i]);
        if (refused.length) {
          this.stale.check(`agent-slots:${items[0].agentId}`);
          await this.park(refused);
          // A release between the ask and the parking found none of these to wake: asked once more, parked.
          const again = await this.ask(refused);
          const taken = refused.filter((_, i) => again[i]);
          if (taken.length) await this.redis.zrem(parkedKey(items[0].agentId), ...taken.map((a) => a.taskId));
          const late = new Set(taken);
          items.forEach((item, i) => (answers[i] ||= late.has(item)));
        }
        group.forEach(({ index }, i) => (granted[index] = answers[i]));
      }),
    );
    return granted;
  }

  /** One call of the lease script for asks of one agent with one limit: whether each got its slot. */
  private async ask(asks: Ask[]): Promise<boolean[]> {
    const { agentId, limit } = asks[0];
    const args = asks.flatMap((a) => [a.taskId, String(a.leaseMs)]);
    const answers = (await this.acquireSlots(
      `agent-slots:${agentId}`,
      String(Date.now()),
      String(limit),
      ...args,
    )) as number[];
    return answers.map((answer) => answer === 1);
  }

  /** Names asks turned away in their agent's parked set (its own command: on a cluster it need not share a slot). */
  private async park(asks: Ask[]): Promise<void> {
    const { agentId } = asks[0];
    const parked = parkedKey(agentId);
    const now = Date.now();
    const score = (a: Ask) => String((a.priority > 0 ? a.priority : 11) * PRIORITY_SPAN + now);
    const replies = await this.redis
      .multi()
      .zadd(parked, 'NX', ...asks.flatMap((a) => [score(a), a.taskId]))
      .pexpire(parked, PARKED_TTL_MS)
      .zcard(parked)
      .exec();
    this.note(agentId, { parked: Number(replies?.[2]?.[1] ?? asks.length) });
  }

  private async releaseMany(leases: Lease[]): Promise<void[]> {
    await Promise.all(
      [...groupBy(leases, (l) => l.agentId).values()].map(async (group) => {
        const agentId = group[0].item.agentId;
        // Sent together: one round trip. The wake-ups do not hold up the release.
        const [, popped] = await Promise.all([
          this.redis.zrem(`agent-slots:${agentId}`, ...group.map(({ item }) => item.taskId)),
          this.redis.zpopmin(parkedKey(agentId), group.length),
        ]);
        void this.wake(agentId, idsOf(popped)).catch(() => undefined);
      }),
    );
    return leases.map(() => undefined);
  }

  /** Remembers what this process knows of an agent's slots, as the most recently used. */
  private note(agentId: string, change: Partial<Known>): void {
    const was = this.known.get(agentId);
    if (was) {
      // Moved to the end (the most recently used), changed in place: nothing allocated on this path, each ask batch's.
      this.known.delete(agentId);
      this.known.set(agentId, Object.assign(was, change));
      return;
    }
    this.known.set(agentId, { parked: 1, limit: 0, ...change });
    if (this.known.size > MAX_KNOWN) this.known.delete(this.known.keys().next().value!);
  }

  /**
   * An agent whose tasks this process asked slots for changed somewhere: a deleted one's parked tasks are all
   * woken (to fail), a raised concurrency wakes as many as it adds. Every worker process hears of it; the parked
   * set hands each task to one of them.
   */
  private async changed(agentId: string): Promise<void> {
    const known = this.known.get(agentId);
    if (!known) return;
    const agent = await this.agents.forTask(agentId).catch((err: unknown) => {
      if (err instanceof AgentNotFoundError) return undefined;
      throw err;
    });
    if (!agent) {
      this.known.delete(agentId);
      for (;;) {
        const ids = idsOf(await this.redis.zpopmin(parkedKey(agentId), WAKE_BATCH));
        if (!ids.length) return;
        await this.queue.wakeEach(ids);
      }
    }
    const added = agent.concurrency - known.limit;
    known.limit = agent.concurrency;
    if (added > 0 && agent.status !== 'paused')
      await this.wake(agentId, idsOf(await this.redis.zpopmin(parkedKey(agentId), added)));
  }

  /**
   * Puts the jobs of parked tasks back to wait; for each that cannot be (its job gone, or not delayed yet), the
   * next parked task is tried, a few times at most: a lost wake-up costs a task its recheck delay, nothing more.
   */
  private async wake(agentId: string, ids: string[]): Promise<void> {
    for (let tries = 0; ids.length && tries < MAX_WAKE_TRIES; tries += 1) {
      const missed = await this.queue.wakeEach(ids);
      ids = missed.length ? idsOf(await this.redis.zpopmin(parkedKey(agentId), missed.length)) : [];
    }
  }
}

/** The tasks turned away by an agent's full lease set, by when they were first turned away. */
function parkedKey(agentId: string): string {
  return `agent-parked:${agentId}`;
}

/** The members of a ZPOPMIN's answer (member, score, member, score, …). */
function idsOf(popped: string[]): string[] {
  return popped.filter((_, i) => i % 2 === 0);
}
