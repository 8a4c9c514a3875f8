import type { ScheduleEntity } from './entities/schedule.entity';
import type { Timing } from './schedule-timing';

/** A schedule as the platform reads and writes it. */
export type Schedule = ScheduleEntity;

/** When the schedule fires: fixed periods count from its start, or from its creation. */
export function timingOf(schedule: Schedule): Timing {
  return {
    cron: schedule.cron,
    everyMs: schedule.everyMs,
    timezone: schedule.timezone,
    startAt: schedule.startAt,
    endAt: schedule.endAt,
    anchor: schedule.startAt ?? schedule.createdAt,
  };
}

/** Whether the schedule can fire again after `now`: not paused, and its window not over. */
export function mayFire(schedule: Schedule, now = new Date()): boolean {
  return !schedule.paused && (!schedule.endAt || schedule.endAt.getTime() > now.getTime());
}

/** The idempotency key of one fire: a fire made twice (two workers, a retry, a catch-up) starts one thing. */
export function fireKey(scheduleId: string, fireAt: Date): string {
  return `schedule:${scheduleId}:${fireAt.toISOString()}`;
}
