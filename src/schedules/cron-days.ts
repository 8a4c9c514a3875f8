import { CronExpressionParser } from 'cron-parser';

export const DAY_MS = 86_400_000;
/** The Gregorian calendar repeats itself, weekdays and leap days alike, every 400 years: 146,097 days. */
const CYCLE_DAYS = 146_097;
/** 1 January 2000, where the cycle read by {@link CronDays.longestGap} starts (any day would do). */
const CYCLE_START = 10_957;
/** How many patterns' days are kept read: a list of schedules, or the sync's pass, reads each pattern once. */
const KEPT = 1000;

/**
 * The calendar days a cron pattern fires on: its month, day-of-month and day-of-week fields as cron-parser reads
 * them (`L`, `#`, and both day fields given: either matches), asked of plain day numbers (days from 1970-01-01, a
 * local date read as if in UTC). Every day that matches has a fire (a local time a spring-forward day skips
 * fires an hour later), so looking for fires can leap over the days that do not, which cron-parser walks one
 * by one (tens of microseconds each): a pattern that fires on 29 February walks four Februaries between fires.
 */
export class CronDays {
  private static readonly known = new Map<string, CronDays>();
  private readonly months: boolean[] = [];
  private readonly dates: Set<number>;
  private readonly lastDate: boolean;
  private readonly weekdays: Set<number>;
  private readonly nth: number;
  private readonly lastWeekdays: Set<number>;
  private readonly anyDate: boolean;
  private readonly anyWeekday: boolean;
  private gap?: number;

  private constructor(cron: string) {
    const { month, dayOfMonth, dayOfWeek } = CronExpressionParser.parse(cron, { strict: false }).fields;
    for (const m of month.values) this.months[m] = true;
    this.dates = numbers(dayOfMonth.values);
    this.lastDate = dayOfMonth.hasLastChar;
    this.anyDate = dayOfMonth.isWildcard;
    this.weekdays = numbers(dayOfWeek.values);
    this.nth = dayOfWeek.nthDay;
    // As cron-parser reads `5L` (the last Friday): the digit of each value, Sunday written 0 or 7.
    this.lastWeekdays = dayOfWeek.hasLastChar
      ? new Set(dayOfWeek.values.map((v) => parseInt(String(v).charAt(0), 10) % 7))
      : new Set();
    this.anyWeekday = dayOfWeek.isWildcard;
  }

  /** The pattern's days (a valid pattern's: cron-parser's error otherwise), read once for many schedules. */
  static of(cron: string): CronDays {
    let days = CronDays.known.get(cron);
    if (!days) {
      days = new CronDays(cron);
      if (CronDays.known.size >= KEPT) CronDays.known.delete(CronDays.known.keys().next().value!);
      CronDays.known.set(cron, days);
    }
    return days;
  }

  matches(day: number): boolean {
    return this.find(day, day) === day;
  }

  /** The first day from `from` to `to` (both included) that matches (or, with `wanted` false, that does not). */
  find(from: number, to: number, wanted = true): number | undefined {
    let day = from;
    while (day <= to) {
      const at = new Date(day * DAY_MS);
      const month = at.getUTCMonth() + 1;
      const length = new Date(Date.UTC(at.getUTCFullYear(), month, 0)).getUTCDate();
      const last = Math.min(to, day + length - at.getUTCDate());
      if (!this.months[month]) {
        if (!wanted) return day;
        day = last + 1;
        continue;
      }
      for (let date = at.getUTCDate(), weekday = at.getUTCDay(); day <= last; day++, date++) {
        if (this.onDay(date, length, weekday) === wanted) return day;
        weekday = (weekday + 1) % 7;
      }
    }
    return undefined;
  }

  /**
   * The most days from one fire day to the next over a whole calendar cycle (1 for a daily pattern, 2,921 for
   * 29 February across 2100); Infinity for a pattern that never fires.
   */
  longestGap(): number {
    if (this.gap !== undefined) return this.gap;
    const end = CYCLE_START + CYCLE_DAYS - 1;
    const first = this.find(CYCLE_START, end);
    let longest = first === undefined ? Infinity : 0;
    let day = first;
    while (day !== undefined) {
      // The run of fire days from `day`, then the next fire day (or the cycle's first, once round).
      const lastInRun = (this.find(day + 1, end, false) ?? end + 1) - 1;
      day = lastInRun < end ? this.find(lastInRun + 1, end) : undefined;
      longest = Math.max(longest, (day ?? first! + CYCLE_DAYS) - lastInRun);
    }
    return (this.gap = longest);
  }

  /** cron-parser's reading of the day fields (its `#matchDayOfMonth`), on a day of a month of `length` days. */
  private onDay(date: number, length: number, weekday: number): boolean {
    const onDate = this.dates.has(date) || (this.lastDate && date === length);
    const onWeekday =
      (this.weekdays.has(weekday) && (this.nth <= 0 || Math.ceil(date / 7) === this.nth)) ||
      (date > length - 7 && this.lastWeekdays.has(weekday));
    if (!this.anyDate && !this.anyWeekday) return onDate || onWeekday;
    return this.anyWeekday ? onDate : onWeekday;
  }
}

/** The plain numbers of a field's values (`L` and `5L` read apart). */
function numbers(values: readonly unknown[]): Set<number> {
  return new Set(values.filter((v): v is number => typeof v === 'number'));
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The day number of the local date at `ms` in the time zone. */
export function localDay(ms: number, timeZone: string): number {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return new Date(0).setUTCFullYear(part('year'), part('month') - 1, part('day')) / DAY_MS;
}
