import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Metrics } from '../metrics/metrics.service';
import { REDIS } from '../redis/redis.module';
import { luaCommand, type LuaCommand } from '../redis/lua-command';
import { type LeaseHolder, TaskRepository } from './persistence/task.repository';
import type { TaskStatus } from './task';
import { TaskQueue } from './task-queue';

/** How often one lease set may be checked against Postgres, per process. */
export const STALE_LEASE_CHECK_MS = 2000;

/** A lease of a slot: the task holding it, and until when (ms since the epoch, the set's score). */
export interface Lease {
  taskId: string;
  until: string;
}

/**
 * The statuses of a task that may hold a slot: about to run (between taking it and starting), running, and
 * retrying (a retry's runner takes its slot before the task is marked running again).
 */
const HOLDING: readonly TaskStatus[] = ['queued', 'running', 'retrying'];

/**
 * How long an ended task's open attempt must be seen on no connected worker before its slot is given back: a
 * live worker reconnecting (a Redis failover, a network blip) is missing from CLIENT LIST for a moment, and its
 * handler may still be stopping. As long as the reconciler waits before it takes over a running task.
 */
export const WORKER_GONE_GRACE_MS = 5000;

/** What {@link staleLeases} finds: leases to drop now, and leases to drop once their worker stays gone. */
export interface StaleLeaseFinding {
  /** The task is gone, or it ended with no attempt open. */
  stale: Lease[];
  /** The task ended, and every attempt of it still open is on a worker not connected now. */
  workerGone: Lease[];
}

/**
 * The leases whose tasks can no longer hold them: the task is gone, or it ended and no attempt of it is
 * still open on a connected worker (a cancelled task's runner keeps its slot until its handler has stopped;
 * an attempt whose worker died has no handler left to stop). `holders` are the tasks Postgres has, of those
 * asked for; `live` the workers connected, undefined when unknown (an open attempt then holds).
 */
export function staleLeases(
  leases: readonly Lease[],
  holders: readonly LeaseHolder[],
  live: ReadonlySet<string> | undefined,
): StaleLeaseFinding {
  const byId = new Map(holders.map((h) => [h.id, h]));
  const finding: StaleLeaseFinding = { stale: [], workerGone: [] };
  for (const lease of leases) {
    const holder = byId.get(lease.taskId);
    if (holder === undefined) finding.stale.push(lease);
    else if (HOLDING.includes(holder.status)) continue;
    else if (!holder.openOn.length) finding.stale.push(lease);
    else if (live && !holder.openOn.some((worker) => live.has(worker))) finding.workerGone.push(lease);
  }
  return finding;
}

/** Whether {@link staleLeases} needs to know which workers are connected: an ended task has an attempt open. */
export function needsLiveWorkers(holders: readonly LeaseHolder[]): boolean {
  return holders.some((h) => !HOLDING.includes(h.status) && h.openOn.length > 0);
}

/**
 * Drops leases whose score is still the one read: a lease taken again meanwhile (a retried task, the same
 * id) has a new score and stays. KEYS: the lease set. ARGV: a task id and its score per lease. Returns the count.
 */
const DROP = `
local dropped = 0
for i = 1, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
    dropped = dropped + 1
  end
end
return dropped
`;

export type TaskStates = Pick<TaskRepository, 'holdersOf'>;
export type LeaseMetrics = Pick<Metrics, 'leasesGivenBack'>;
export type WorkerSightings = Pick<TaskQueue, 'liveWorkers'>;

/**
 * Gives back slots whose release was lost. A runner gives its slot back when its attempt ends, but that
 * command can be lost: sent while Redis or the master of the set's slot is away (a failover), or acknowledged
 * by a master that dies before its replica has it. The lease would then keep the slot until it expires
 * (the task's timeout plus 30 s), and an agent whose every slot is held so would run nothing meanwhile, its
 * jobs put back again and again. So a set that turns a task away is checked against Postgres, at most every
 * {@link STALE_LEASE_CHECK_MS}: leases of tasks that ended there, with no attempt still open on a connected
 * worker, or that are gone, are dropped, and counted in `slot_leases_given_back_total`. Which workers are
 * connected (CLIENT LIST) is asked only when an ended task has an attempt open; such a lease is given back
 * only when a check at least {@link WORKER_GONE_GRACE_MS} after the first to find its worker gone still does.
 */
@Injectable()
export class StaleLeases {
  private readonly logger = new Logger(StaleLeases.name);
  private readonly drop: LuaCommand;
  /** When each lease set was last checked here. */
  private readonly checked = new Map<string, number>();
  /** By lease set: the leases whose worker a check found gone (task id and score), and when it first did. */
  private readonly workerGoneSince = new Map<string, Map<string, number>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TaskRepository) private readonly tasks: TaskStates,
    @Inject(Metrics) private readonly metrics: LeaseMetrics,
    @Inject(TaskQueue) private readonly workers: WorkerSightings,
  ) {
    this.drop = luaCommand(redis, 'ymeraDropStaleLeases', 1, DROP);
  }

  /** After `key` turned a task away: checks it unless it was checked lately. Never throws; not to be awaited. */
  check(key: string): void {
    const now = Date.now();
    if (now - (this.checked.get(key) ?? -Infinity) < STALE_LEASE_CHECK_MS) return;
    this.forget(now);
    this.checked.set(key, now);
    void this.sweep(key).catch((err: Error) => this.logger.warn(`lease check of ${key}: ${err.message}`));
  }

  /** Drops the stale leases of `key`; returns how many. */
  async sweep(key: string): Promise<number> {
    const flat = await this.redis.zrange(key, 0, -1, 'WITHSCORES');
    const leases: Lease[] = [];
    for (let i = 0; i < flat.length; i += 2) leases.push({ taskId: flat[i], until: flat[i + 1] });
    if (!leases.length) return 0;
    const holders = await this.tasks.holdersOf(leases.map((l) => l.taskId));
    // Not told (Redis failing over, CLIENT LIST refused): an open attempt holds its slot, as it did before.
    const needsLive = needsLiveWorkers(holders);
    const live = needsLive ? await this.workers.liveWorkers().catch(() => undefined) : undefined;
    const found = staleLeases(leases, holders, live);
    const stale = [...found.stale, ...this.goneLongEnough(key, found.workerGone, needsLive && live === undefined)];
    if (!stale.length) return 0;
    const dropped = Number(await this.drop(key, ...stale.flatMap((l) => [l.taskId, l.until])));
    this.metrics.leasesGivenBack(dropped);
    if (dropped) this.logger.warn(`${key}: gave back ${dropped} slot(s) of tasks that no longer run (a lost release)`);
    return dropped;
  }

  /**
   * Of `gone` (leases of `key` whose worker this check found gone), those a check found so at least
   * {@link WORKER_GONE_GRACE_MS} ago; the others are noted, and a lease no longer found so is forgotten.
   * When the workers were not known (`unknown`), what was noted stays as it was.
   */
  private goneLongEnough(key: string, gone: readonly Lease[], unknown: boolean): Lease[] {
    if (unknown) return [];
    const now = Date.now();
    const before = this.workerGoneSince.get(key);
    const since = new Map<string, number>();
    for (const lease of gone) {
      const id = `${lease.taskId} ${lease.until}`;
      since.set(id, before?.get(id) ?? now);
    }
    this.workerGoneSince.delete(key);
    // Sets are cleared as their checks find their workers back; kept bounded (forgetting only adds a wait).
    if (this.workerGoneSince.size >= 1000) this.workerGoneSince.clear();
    if (since.size) this.workerGoneSince.set(key, since);
    return gone.filter((lease) => now - since.get(`${lease.taskId} ${lease.until}`)! >= WORKER_GONE_GRACE_MS);
  }

  /** Keeps the map to the sets checked lately: concurrency keys can be many. */
  private forget(now: number): void {
    if (this.checked.size < 1000) return;
    for (const [key, at] of this.checked) if (now - at >= STALE_LEASE_CHECK_MS) this.checked.delete(key);
  }
}
