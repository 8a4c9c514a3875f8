import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Metrics } from '../metrics/metrics.service';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { ScheduleRepository } from './persistence/schedule.repository';
import type { ScheduleStore } from './ports';
import { mayFire, type Schedule, timingOf } from './schedule';
import { ScheduleFiring } from './schedule-firing';
import { ScheduleQueue } from './schedule-queue';
import { firesAfter } from './schedule-timing';

/** What the sync needs of the schedules' table, of their queue, of their firing and of the metrics. */
export type SyncStore = Pick<ScheduleStore, 'active' | 'firesRecorded' | 'passHandled' | 'passOver'>;
export type SyncQueue = Pick<ScheduleQueue, 'schedulers' | 'put' | 'remove'>;
export type SyncFiring = Pick<ScheduleFiring, 'fire'>;
export type SyncMetrics = Pick<Metrics, 'scheduleFiresPassedOver'>;

/** Missed fires of one schedule made late, the most recent ones; older ones are passed over, and audited. */
export const MAX_LATE_FIRES = 10;
/** How many missed fires are looked at, at most, per schedule and pass. */
const MISSED_LOOKED_AT = 1000;

/**
 * Keeps Redis in step with Postgres, once every SCHEDULE_SYNC_INTERVAL_MS across the workers: every schedule
 * that may fire has its job scheduler as the schedule says (a Redis restarted empty gets them all back), no
 * other scheduler is left, and the fires that were missed meanwhile (no scheduler, no worker) are made late,
 * once each. A fire is missed when it is older than one sync period and not handled: one with its line in the
 * history (made on time while an earlier one was missed) is handled, and only moves the schedule on.
 */
@PeriodicJob({ name: 'schedules.sync', everyMs: (config) => config.schedules.syncIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class ScheduleSync implements PeriodicJobHandler {
  private readonly logger = new Logger(ScheduleSync.name);
  /**
   * Per schedule: its first fire after the time it was handled until, as its times were then (Infinity for none
   * within the horizon). Nothing was missed before it, so a pass looks again only once it is past, or the
   * schedule changed: a schedule costs each pass a lookup, not a search.
   */
  private readonly nextAfterHandled = new Map<string, { key: string; at: number }>();

  constructor(
    @Inject(ScheduleRepository) private readonly schedules: SyncStore,
    @Inject(ScheduleQueue) private readonly queue: SyncQueue,
    @Inject(ScheduleFiring) private readonly firing: SyncFiring,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'schedules'>,
    @Inject(Metrics) private readonly metrics: SyncMetrics,
  ) {}

  async run(): Promise<{ put: number; removed: number; late: number }> {
    const now = new Date();
    const [active, schedulers] = await Promise.all([this.schedules.active(), this.queue.schedulers()]);
    const wanted = new Set<string>();
    let put = 0;
    let late = 0;
    for (const schedule of active) {
      if (!mayFire(schedule, now)) continue;
      wanted.add(schedule.id);
      const scheduler = schedulers.get(schedule.id);
      if (!scheduler || !ScheduleQueue.matches(schedule, scheduler)) {
        await this.queue.put(schedule);
        put += 1;
      }
      late += await this.catchUp(schedule, now);
    }
    let removed = 0;
    for (const id of schedulers.keys()) {
      if (wanted.has(id)) continue;
      await this.queue.remove(id);
      removed += 1;
    }
    for (const id of this.nextAfterHandled.keys()) if (!wanted.has(id)) this.nextAfterHandled.delete(id);
    if (put || removed || late)
      this.logger.log(`schedules: ${put} put in Redis, ${removed} removed, ${late} late fires`);
    return { put, removed, late };
  }

  /** Makes the schedule's missed fires, the last {@link MAX_LATE_FIRES} of them; returns how many. */
  private async catchUp(schedule: Schedule, now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.schedules.syncIntervalMs);
    const timing = timingOf(schedule);
    const key = `${JSON.stringify(timing)} ${schedule.firedUntil.toISOString()}`;
    let next = this.nextAfterHandled.get(schedule.id);
    if (next?.key !== key) {
      next = { key, at: firesAfter(timing, schedule.firedUntil, 1)[0]?.getTime() ?? Infinity };
      this.nextAfterHandled.set(schedule.id, next);
    }
    if (next.at > cutoff.getTime()) return 0;
    const missed = firesAfter(timing, schedule.firedUntil, MISSED_LOOKED_AT, cutoff);
    if (!missed.length) return 0;
    const unhandled = missed.length === MISSED_LOOKED_AT ? missed : await this.unhandled(schedule, missed, cutoff);
    if (!unhandled.length) {
      // All made already, on time while an earlier one was still to be made: the schedule moves past them.
      await this.schedules.passHandled(schedule.id, missed);
      return 0;
    }
    const made = unhandled.slice(-MAX_LATE_FIRES);
    const passed = missed.length === MISSED_LOOKED_AT ? undefined : unhandled.slice(0, -MAX_LATE_FIRES);
    if (passed === undefined || passed.length) {
      // Too many to make: the older ones (all of them, when there were more than could be looked at) are passed over.
      const until = passed?.at(-1) ?? cutoff;
      await this.schedules.passOver(schedule.id, until, {
        action: 'schedule.fires_missed',
        outcome: 'failure',
        resourceType: 'schedule',
        resourceId: schedule.id,
        details: {
          count: passed ? passed.length : `${MISSED_LOOKED_AT} or more`,
          from: schedule.firedUntil.toISOString(),
          until: until.toISOString(),
        },
      });
      this.metrics.scheduleFiresPassedOver(passed ? passed.length : MISSED_LOOKED_AT);
      if (!passed) return 0;
    }
    // Each fire made moves the schedule past it, and past the fires after it that are handled.
    for (const fireAt of made) await this.firing.fire(schedule.id, fireAt);
    return made.length;
  }

  /** The fires of `missed` (up to `cutoff`) that have no line in the history: not handled yet. */
  private async unhandled(schedule: Schedule, missed: Date[], cutoff: Date): Promise<Date[]> {
    const recorded = await this.schedules.firesRecorded(schedule.id, schedule.firedUntil, cutoff);
    if (!recorded.length) return missed;
    const handled = new Set(recorded.map((at) => at.getTime()));
    return missed.filter((at) => !handled.has(at.getTime()));
  }
}
