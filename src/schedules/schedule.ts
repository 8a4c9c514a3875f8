import type { ScheduleEntity } from './entities/schedule.entity';
import type { Timing } from './schedule-timing';

/** A schedule as the platform reads and writes it. */
export type Schedule = ScheduleEntity;

/**
 * When the schedule fires: fixed periods count from its start (its first fire), or from its creation, which is
 * no fire itself (the first comes one period later, as the schedule's `nextFires` said when it was made).
 */
export function timingOf(schedule: Schedule): Timing {
  const firstAfterCreation = schedule.everyMs ? new Date(schedule.createdAt.getTime() + schedule.everyMs) : null;
  return {
    cron: schedule.cron,
    everyMs: schedule.everyMs,
    timezone: schedule.timezone,
    startAt: schedule.startAt ?? firstAfterCreation,
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
