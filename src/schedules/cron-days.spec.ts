import { CronExpressionParser } from 'cron-parser';
import { CronDays, DAY_MS, localDay } from './cron-days';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/** Day fields of every kind cron-parser reads: lists, ranges, steps, names, `L`, `5L`, `#`, and both day fields. */
const PATTERNS = [
  '0 0 * * *',
  '0 9 * * 1-5',
  '0 0 29 2 *',
  '0 0 L * *',
  '0 0 L 2 *',
  '0 0 1,15,L * *',
  '0 0 */5 * *',
  '0 0 31 * *',
  '0 0 13 * 5',
  '0 0 ? 2 1#5',
  '0 0 ? * 3#2',
  '0 0 ? 4,6 0#5',
  '0 0 ? * 5L',
  '0 0 ? * 1,5L',
  '0 0 10-20 FEB,NOV SUN',
  '0 0 * * 7',
  '0 0 1 */3 *',
  '0 0 29 2 1#5',
  '0 0 L * 5L',
  '30 2 ? 3,10 0L',
];

describe('CronDays', () => {
  it('reads the day fields as cron-parser does, on every day of 2027–2029 and around 2100', () => {
    const spans = [
      [day('2027-01-01'), day('2029-12-31')],
      [day('2099-12-01'), day('2100-03-31')],
    ];
    for (const cron of PATTERNS) {
      const days = CronDays.of(cron);
      // The pattern's day fields at midnight, as cron-parser reads a date against the whole pattern.
      const fields = cron.split(' ').slice(2).join(' ');
      const parser = CronExpressionParser.parse(`0 0 0 ${fields}`, { tz: 'UTC', strict: false });
      const differing: string[] = [];
      for (const [from, to] of spans) {
        for (let d = from; d <= to; d++) {
          if (days.matches(d) !== parser.includesDate(new Date(d * DAY_MS))) differing.push(`${cron} on ${d}`);
        }
      }
      expect(differing).toEqual([]);
    }
  });

  it('finds the next day that fires, or the next that does not, within the bounds given', () => {
    const leap = CronDays.of('0 0 29 2 *');
    expect(leap.find(day('2026-03-01'), day('2030-01-01'))).toBe(day('2028-02-29'));
    expect(leap.find(day('2026-03-01'), day('2028-02-28'))).toBeUndefined();
    const weekdays = CronDays.of('0 9 * * 1-5');
    // Friday 4 December 2026: the next day without a fire is the Saturday.
    expect(weekdays.find(day('2026-12-04'), day('2027-01-01'), false)).toBe(day('2026-12-05'));
  });

  it('measures the longest stretch between fire days over the whole calendar cycle', () => {
    expect(CronDays.of('* * * * *').longestGap()).toBe(1);
    expect(CronDays.of('0 0 1 1 *').longestGap()).toBe(366);
    // 29 February 2096 to 29 February 2104: 2100 is no leap year.
    expect(CronDays.of('0 0 29 2 *').longestGap()).toBe(day('2104-02-29') - day('2096-02-29'));
    // The fifth Monday of February, only in a leap year that starts February on a Monday: 2072, then 2112.
    expect(CronDays.of('0 0 ? 2 1#5').longestGap()).toBe(day('2112-02-29') - day('2072-02-29'));
  });

  it('reads the local date of an instant in its time zone', () => {
    const instant = Date.parse('2026-12-31T18:20:00Z');
    expect(localDay(instant, 'UTC')).toBe(day('2026-12-31'));
    expect(localDay(instant, 'Asia/Kathmandu')).toBe(day('2027-01-01'));
    expect(localDay(instant, 'Pacific/Pago_Pago')).toBe(day('2026-12-31'));
    expect(localDay(Date.parse('2026-12-31T12:00:00Z'), 'Pacific/Kiritimati')).toBe(day('2027-01-01'));
  });
});
