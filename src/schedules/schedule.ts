import type { ErrorDetail } from '../common/errors/app.error';
import type { ScheduleEntity } from './entities/schedule.entity';
import { cronProblem, firesAfter, isTimeZone, type Timing } from './schedule-timing';

/** A schedule as the platform reads and writes it. */
export type Schedule = ScheduleEntity;

/**
 * When the schedule fires: fixed periods count from its start (its first fire), or from its creation, which is
 * no fire itself (the first comes one period later, as the schedule's `nextFires` said when it was made).
 */
export function timingOf(
  schedule: Pick<Schedule, 'cron' | 'everyMs' | 'timezone' | 'startAt' | 'endAt' | 'createdAt'>,
): Timing {
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

/** When a schedule fires, as a user gives it. */
export type TimingFields = Pick<Schedule, 'cron' | 'everyMs' | 'timezone' | 'startAt' | 'endAt'>;

/**
 * Every problem of a schedule's times, as JSON pointers into the request body. `rarity`: whether a pattern that
 * fires too seldom is refused (a new one; see {@link cronProblem}).
 */
export function timingProblems(timing: TimingFields, rarity = true): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if ((timing.cron === null) === (timing.everyMs === null))
    problems.push({ field: '/cron', message: 'give either cron or everyMs' });
  const knownZone = isTimeZone(timing.timezone);
  if (!knownZone) problems.push({ field: '/timezone', message: 'is not an IANA time zone' });
  if (timing.cron !== null) {
    // Checked in UTC when the zone is unknown, so a bad pattern is reported alongside it.
    const problem = cronProblem(timing.cron, knownZone ? timing.timezone : 'UTC', rarity);
    if (problem) problems.push({ field: '/cron', message: problem });
  }
  if (timing.startAt && timing.endAt && timing.endAt <= timing.startAt)
    problems.push({ field: '/endAt', message: 'must be after startAt' });
  return problems;
}

/**
 * The problem of a new schedule's `endAt`, beside the `known` problems of its times: it must leave the schedule
 * a fire. (A change may end a schedule at once, or keep an end already past.)
 */
export function newScheduleEndProblems(timing: TimingFields, known: ErrorDetail[], now = new Date()): ErrorDetail[] {
  if (!timing.endAt || known.some((p) => p.field === '/endAt')) return [];
  if (timing.endAt.getTime() <= now.getTime()) return [{ field: '/endAt', message: 'must be in the future' }];
  if (known.length || firesAfter(timingOf({ ...timing, createdAt: now }), now, 1).length) return [];
  return [{ field: '/endAt', message: 'comes before the first fire: the schedule would never fire' }];
}
