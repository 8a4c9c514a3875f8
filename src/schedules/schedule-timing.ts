import { CronExpressionParser } from 'cron-parser';

/** When a schedule fires: a cron pattern in a time zone, or a fixed period, within an optional window. */
export interface Timing {
  cron: string | null;
  everyMs: number | null;
  timezone: string;
  startAt: Date | null;
  endAt: Date | null;
  /** Fixed periods count from here (the schedule's start, or its creation): fires are anchor + k · everyMs. */
  anchor: Date;
}

/** `H`, `H/5`, `H(0-29)` in a field (not the H of a name such as THU). */
const HASHED = /(^|[^A-Z])H($|[^A-Z])/i;

/** Why a cron pattern or a time zone is refused, in words for the API's error detail; undefined when fine. */
export function cronProblem(cron: string, timezone = 'UTC'): string | undefined {
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return 'must have 5 fields (minute to weekday) or 6 (with seconds first)';
  // The parser reads `H` as a value drawn at random on every reading: each would plan other times.
  if (cron.split(/\s+/).some((field) => HASHED.test(field))) {
    return 'must not use H (a value the parser draws at random): give the minute, hour or day itself';
  }
  try {
    CronExpressionParser.parse(cron, { tz: timezone, strict: false });
    return undefined;
  } catch (err) {
    return `is not a valid cron pattern: ${(err as Error).message}`;
  }
}

/** Whether the name is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The last instant a time in the API can name (RFC 3339 has four-digit years): no fire is planned past it. */
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The fire times after `after` (exclusive), at most `limit` of them and none past `until` (inclusive), the
 * window's end or the year 9999. A cron pattern follows its time zone: a daily 09:00 stays at 09:00 local time across daylight
 * saving changes; a local time that a spring-forward day skips fires an hour later that day (02:30 → 03:30),
 * and one that a fall-back day has twice fires once, the first time. Patterns finer than an hour fire at every
 * real instant that matches, the repeated hour included.
 */
export function firesAfter(timing: Timing, after: Date, limit: number, until?: Date): Date[] {
  const from = new Date(Math.max(after.getTime(), (timing.startAt?.getTime() ?? -Infinity) - 1));
  const end = Math.min(until?.getTime() ?? Infinity, timing.endAt?.getTime() ?? Infinity, LAST_INSTANT);
  const fires: Date[] = [];
  if (timing.everyMs) {
    const period = timing.everyMs;
    const anchor = timing.anchor.getTime();
    let next = anchor + (Math.floor((from.getTime() - anchor) / period) + 1) * period;
    while (fires.length < limit && next <= end) {
      fires.push(new Date(next));
      next += period;
    }
    return fires;
  }
  if (!timing.cron) return fires;
  const times = CronExpressionParser.parse(timing.cron, { currentDate: from, tz: timing.timezone });
  while (fires.length < limit && times.hasNext()) {
    const next = times.next().toDate();
    if (next.getTime() > end) break;
    if (fires.at(-1)?.getTime() !== next.getTime()) fires.push(next);
  }
  return fires;
}

/** The BullMQ job scheduler options that fire at exactly {@link firesAfter}'s times from now on. */
export function schedulerOptions(
  timing: Timing,
  now = new Date(),
): { pattern?: string; tz?: string; every?: number; offset?: number; startDate?: number; endDate?: number } {
  const endDate = timing.endAt?.getTime();
  if (timing.everyMs) {
    const first = firesAfter(timing, new Date(now.getTime() - 1), 1)[0];
    const offset = ((timing.anchor.getTime() % timing.everyMs) + timing.everyMs) % timing.everyMs;
    return { every: timing.everyMs, offset, startDate: first?.getTime() ?? now.getTime(), endDate };
  }
  return { pattern: timing.cron!, tz: timing.timezone, startDate: timing.startAt?.getTime(), endDate };
}

/** How far a job's time may be from the fire it stands for. */
const SNAP_MS = 30_000;

/**
 * The fire a scheduler's job stands for: the schedule's own fire time nearest to the job's time, within half
 * a period (and 30 s). Redis's scheduler and {@link firesAfter} agree on the slots, but a job's recorded time
 * may be off by its scheduling delay; every process snaps it to the same instant, so the fire's idempotency
 * key is the same wherever it is made. A job far from any fire keeps its own time.
 */
export function fireFor(timing: Timing, jobMillis: number): Date {
  const tolerance = Math.min(SNAP_MS, timing.everyMs ? Math.floor(timing.everyMs / 2) : SNAP_MS);
  const [nearest] = firesAfter(timing, new Date(jobMillis - tolerance - 1), 1, new Date(jobMillis + tolerance));
  return nearest ?? new Date(jobMillis);
}
