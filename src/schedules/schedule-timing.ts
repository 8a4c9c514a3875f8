import { CronExpressionParser } from 'cron-parser';
import { CronDays, DAY_MS, localDay } from './cron-days';

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

/** How far ahead of the last fire (or of now) the next is looked for: no fire further off is planned or shown. */
export const HORIZON_YEARS = 10;
const HORIZON_DAYS = Math.ceil(HORIZON_YEARS * 365.25);
export const HORIZON_MS = HORIZON_DAYS * DAY_MS;

/** `H`, `H/5`, `H(0-29)` in a field (not the H of a name such as THU). */
const HASHED = /(^|[^A-Z])H($|[^A-Z])/i;

/**
 * Why a cron pattern or a time zone is refused, in words for the API's error detail; undefined when fine. With
 * `rarity`, a pattern that fires less than once every {@link HORIZON_YEARS} years is refused too (a new
 * pattern; one kept from before the rule stays, see {@link firesAfter}).
 */
export function cronProblem(cron: string, timezone = 'UTC', rarity = true): string | undefined {
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return 'must have 5 fields (minute to weekday) or 6 (with seconds first)';
  // The parser reads `H` as a value drawn at random on every reading: each would plan other times.
  if (cron.split(/\s+/).some((field) => HASHED.test(field))) {
    return 'must not use H (a value the parser draws at random): give the minute, hour or day itself';
  }
  try {
    CronExpressionParser.parse(cron, { tz: timezone, strict: false });
  } catch (err) {
    return `is not a valid cron pattern: ${(err as Error).message}`;
  }
  return rarity ? rarityProblem(cron) : undefined;
}

/**
 * Why a pattern fires too seldom to keep: its next fire is looked for only {@link HORIZON_YEARS} years ahead, so
 * in its longest gaps it would show, and catch up, none. Read over a whole calendar cycle, not from today: 29
 * February (8 years apart across 2100) passes; the fifth Monday of February (28 to 40 years apart) does not.
 */
function rarityProblem(cron: string): string | undefined {
  const gap = CronDays.of(cron).longestGap();
  if (gap === Infinity) return 'never fires: no day matches its day and month fields';
  if (gap <= HORIZON_DAYS) return undefined;
  const years = Math.round(gap / 365.2425);
  return `fires less than once every ${HORIZON_YEARS} years (up to ${years} years apart): give a pattern that fires more often`;
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
  return timing.cron ? cronFires(timing.cron, timing.timezone, from.getTime(), limit, end) : fires;
}

/**
 * {@link firesAfter} for a cron pattern, each fire looked for within {@link HORIZON_MS} of the one before (or of
 * `from`): a pattern kept from before that rule, which fires more seldom, shows and catches up no fire further
 * off (its job scheduler still fires it). cron-parser walks only stretches of days that fire (see
 * {@link CronDays}), and each stretch stops at its end (`endDate`), so a search costs a few of its steps per fire.
 */
function cronFires(cron: string, tz: string, from: number, limit: number, end: number): Date[] {
  const days = CronDays.of(cron);
  const fires: Date[] = [];
  let cursor = from;
  let last = from;
  // A stretch without a fire (its fires all before the cursor) is followed by one with: this many suffice.
  for (let stretch = 0; fires.length < limit && stretch < 2 * limit + 3; stretch++) {
    const until = Math.min(end, last + HORIZON_MS);
    if (cursor >= until) break;
    const lastDay = localDay(until, tz);
    // From the day before the cursor's: a fire a spring-forward day moves an hour later may fall on the next day.
    const first = days.find(localDay(cursor, tz) - 1, lastDay);
    if (first === undefined) break;
    // The stretch ends after the days that fire in a row, or a month on (a daily pattern fires every day).
    const after = days.find(first + 1, Math.min(first + 31, lastDay + 1), false) ?? Math.min(first + 32, lastDay + 2);
    // A day number read in UTC is within 14 hours of the local day: a day's margin on either side holds it.
    const stop = Math.min(until, (after + 2) * DAY_MS);
    const times = CronExpressionParser.parse(cron, {
      currentDate: new Date(Math.max(cursor, (first - 1) * DAY_MS)),
      endDate: new Date(stop),
      tz,
    });
    while (fires.length < limit) {
      const next = nextOf(times);
      if (next === undefined || next > stop) break;
      // A local time repeated on a fall-back day is one fire.
      if (next > cursor) fires.push(new Date((cursor = last = next)));
    }
    cursor = Math.max(cursor, stop);
  }
  return fires;
}

/** The pattern's next time, or undefined past its `endDate`. */
function nextOf(times: ReturnType<typeof CronExpressionParser.parse>): number | undefined {
  try {
    return times.next().getTime();
  } catch {
    return undefined;
  }
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
  // Every fire around the job, not the first: a cron pattern may fire every few seconds, and the first fire
  // of the window is then an earlier one (already made), not the one this job stands for. A cron pattern
  // fires at most once a second, so the window holds at most this many.
  const most = Math.floor((2 * tolerance) / 1000) + 1;
  const fires = firesAfter(timing, new Date(jobMillis - tolerance - 1), most, new Date(jobMillis + tolerance));
  let nearest: Date | undefined;
  for (const fire of fires)
    if (!nearest || Math.abs(fire.getTime() - jobMillis) < Math.abs(nearest.getTime() - jobMillis)) nearest = fire;
  return nearest ?? new Date(jobMillis);
}
