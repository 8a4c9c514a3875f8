import { CronExpressionParser } from 'cron-parser';
import { cronProblem, fireFor, firesAfter, isTimeZone, schedulerOptions, type Timing } from './schedule-timing';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

function cron(pattern: string, timezone: string, fields: Partial<Timing> = {}): Timing {
  return { cron: pattern, everyMs: null, timezone, startAt: null, endAt: null, anchor: new Date(0), ...fields };
}

describe('schedule timing', () => {
  it('keeps a daily time in its time zone across a spring-forward day (Berlin, 29 March 2026)', () => {
    const fires = firesAfter(cron('0 9 * * *', 'Europe/Berlin'), new Date('2026-03-27T12:00:00Z'), 3);
    // 09:00 CET is 08:00 UTC; from the 29th, 09:00 CEST is 07:00 UTC.
    expect(iso(fires)).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('fires a skipped local time an hour later on a spring-forward day (New York, 8 March 2026)', () => {
    const fires = firesAfter(cron('30 2 * * *', 'America/New_York'), new Date('2026-03-07T12:00:00Z'), 2);
    // 02:30 does not exist on the 8th: it fires at 03:30 EDT (07:30 UTC), then at 02:30 EDT (06:30 UTC).
    expect(iso(fires)).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  it('fires a repeated local time once on a fall-back day (New York, 1 November 2026)', () => {
    const fires = firesAfter(cron('30 1 * * *', 'America/New_York'), new Date('2026-10-31T12:00:00Z'), 2);
    // 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST): one fire, then 01:30 EST on the 2nd.
    expect(iso(fires)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('fires every real instant a sub-hourly pattern matches through the repeated hour', () => {
    const fires = firesAfter(cron('*/30 * * * *', 'America/New_York'), new Date('2026-11-01T04:50:00Z'), 5);
    expect(iso(fires)).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('takes 6-field patterns (seconds first) and keeps to the window', () => {
    const timing = cron('*/20 * * * * *', 'UTC', {
      startAt: new Date('2026-01-01T00:01:00Z'),
      endAt: new Date('2026-01-01T00:01:40Z'),
    });
    expect(iso(firesAfter(timing, new Date('2026-01-01T00:00:00Z'), 10))).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:01:20.000Z',
      '2026-01-01T00:01:40.000Z',
    ]);
    expect(firesAfter(timing, new Date('2026-01-01T00:01:40Z'), 10)).toEqual([]);
  });

  it('counts fixed periods from the anchor, whatever the time asked from', () => {
    const timing: Timing = {
      cron: null,
      everyMs: 60_000,
      timezone: 'UTC',
      startAt: null,
      endAt: null,
      anchor: new Date('2026-01-01T00:00:15Z'),
    };
    expect(iso(firesAfter(timing, new Date('2026-01-01T00:05:15Z'), 2))).toEqual([
      '2026-01-01T00:06:15.000Z',
      '2026-01-01T00:07:15.000Z',
    ]);
    expect(iso(firesAfter(timing, new Date('2026-01-01T00:05:00Z'), 3, new Date('2026-01-01T00:06:15Z')))).toEqual([
      '2026-01-01T00:05:15.000Z',
      '2026-01-01T00:06:15.000Z',
    ]);
    // BullMQ's every-scheduler fires on the slots offset from multiples of the period: the same instants.
    const options = schedulerOptions(timing, new Date('2026-01-01T00:05:20Z'));
    expect(options).toMatchObject({ every: 60_000, offset: 15_000, startDate: Date.parse('2026-01-01T00:06:15Z') });
  });

  it('refuses patterns with the wrong number of fields or values out of range, and unknown zones', () => {
    expect(cronProblem('0 9 * * *')).toBeUndefined();
    expect(cronProblem('0 0 9 * * *')).toBeUndefined();
    expect(cronProblem('0 9 * *')).toMatch(/5 fields/);
    expect(cronProblem('61 9 * * *')).toMatch(/not a valid cron pattern/);
    for (const hashed of ['H * * * * *', '0 H * * *', 'H/15 * * * *', '0 H(0-5) * * *', '0 9 * * h'])
      expect(cronProblem(hashed)).toMatch(/must not use H/);
    expect(cronProblem('0 9 * * THU')).toBeUndefined();
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('refuses a pattern that fires less than once every 10 years, over the whole calendar, in any zone', () => {
    for (const timezone of ['UTC', 'Asia/Kathmandu', 'America/New_York']) {
      // The fifth Monday (or Sunday) of February: 28 years apart, 40 across 2100.
      expect(cronProblem('0 0 ? 2 1#5', timezone)).toBe(
        'fires less than once every 10 years (up to 40 years apart): give a pattern that fires more often',
      );
      expect(cronProblem('30 6 ? 2 0#5', timezone)).toMatch(/less than once every 10 years/);
      // Yearly, 29 February (8 years apart across 2100), the fifth Monday of April (up to 6), and either day field.
      for (const fine of ['0 0 1 1 *', '0 0 29 2 *', '0 0 L 2 *', '0 0 ? 4 1#5', '0 0 29 2 1#5', '0 0 ? 2 1L'])
        expect(cronProblem(fine, timezone)).toBeUndefined();
    }
    // A pattern kept from before the rule is read as it is.
    expect(cronProblem('0 0 ? 2 1#5', 'UTC', false)).toBeUndefined();
  });

  it('finds the fires a walk of cron-parser finds, leaping the days without one', () => {
    const walk = (pattern: string, timezone: string, from: Date, limit: number) => {
      const times = CronExpressionParser.parse(pattern, { currentDate: from, tz: timezone });
      return Array.from({ length: limit }, () => times.next().toISOString());
    };
    const patterns = ['0 0 29 2 *', '30 2 * * *', '0 0 ? 4 1#5', '15 0 ? * 0L', '0 */7 * 3,10 *', '0 0 L * 5L'];
    // Daylight saving at 02:00, at midnight, by half an hour; and a :45 offset.
    const zones = ['America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    for (const pattern of patterns) {
      for (const timezone of zones) {
        for (const from of [new Date('2026-03-07T23:30:00Z'), new Date('2027-10-30T12:00:00.500Z')]) {
          expect({ pattern, timezone, fires: iso(firesAfter(cron(pattern, timezone), from, 6)) }).toEqual({
            pattern,
            timezone,
            fires: walk(pattern, timezone, from, 6),
          });
        }
      }
    }
  });

  it('looks for each fire at most 10 years after the one before, a few days at a time', () => {
    // A pattern kept from before the rule: its fire in 2044 is too far off from 2026, the one after it too.
    const rare = cron('0 0 ? 2 1#5', 'UTC');
    expect(firesAfter(rare, new Date('2026-06-01T00:00:00Z'), 5)).toEqual([]);
    expect(iso(firesAfter(rare, new Date('2035-01-01T00:00:00Z'), 5))).toEqual(['2044-02-29T00:00:00.000Z']);
    // Each search cron-parser makes is given an end a few days past its start: it walks days that fire.
    const parse = jest.spyOn(CronExpressionParser, 'parse');
    try {
      const leap = firesAfter(cron('0 0 29 2 *', 'Asia/Kathmandu'), new Date('2026-06-01T00:00:00Z'), 5);
      expect(iso(leap).map((at) => at.slice(0, 10))).toEqual([
        '2028-02-28',
        '2032-02-28',
        '2036-02-28',
        '2040-02-28',
        '2044-02-28',
      ]);
      expect(parse.mock.calls.length).toBeLessThanOrEqual(2 * 5 + 3);
      for (const [, options] of parse.mock.calls) {
        // firesAfter gives both as Dates.
        const span = (options!.endDate as Date).getTime() - (options!.currentDate as Date).getTime();
        expect(span).toBeLessThanOrEqual(5 * 86_400_000);
      }
    } finally {
      parse.mockRestore();
    }
  });

  it('snaps a scheduler job’s time to the fire it stands for', () => {
    const every: Timing = {
      cron: null,
      everyMs: 1000,
      timezone: 'UTC',
      startAt: null,
      endAt: null,
      anchor: new Date('2026-01-01T00:00:00.250Z'),
    };
    expect(fireFor(every, Date.parse('2026-01-01T00:00:05.242Z')).toISOString()).toBe('2026-01-01T00:00:05.250Z');
    expect(fireFor(every, Date.parse('2026-01-01T00:00:05.700Z')).toISOString()).toBe('2026-01-01T00:00:05.250Z');
    const daily = cron('0 9 * * *', 'UTC');
    expect(fireFor(daily, Date.parse('2026-01-01T09:00:00.004Z')).toISOString()).toBe('2026-01-01T09:00:00.000Z');
    expect(fireFor(daily, Date.parse('2026-01-01T12:00:00.000Z')).toISOString()).toBe('2026-01-01T12:00:00.000Z');
  });

  it('snaps a job of a pattern firing every few seconds to its own fire, not the first of the window', () => {
    const at = (pattern: string, job: string) => fireFor(cron(pattern, 'Asia/Kolkata'), Date.parse(job)).toISOString();
    expect(at('*/5 * * * * *', '2026-12-06T06:10:30.040Z')).toBe('2026-12-06T06:10:30.000Z');
    expect(at('*/5 * * * * *', '2026-12-06T06:10:31.900Z')).toBe('2026-12-06T06:10:30.000Z');
    expect(at('*/5 * * * * *', '2026-12-06T06:10:29.000Z')).toBe('2026-12-06T06:10:30.000Z');
    expect(at('0,30 * * * * *', '2026-12-06T06:11:00.500Z')).toBe('2026-12-06T06:11:00.000Z');
    expect(at('*/20 * * * * *', '2026-12-06T06:11:00.020Z')).toBe('2026-12-06T06:11:00.000Z');
    expect(at('* * * * * *', '2026-12-06T06:11:07.400Z')).toBe('2026-12-06T06:11:07.000Z');
  });

  it('plans no fire past the year 9999, which no time in the API can name', () => {
    const start = new Date('9999-12-31T23:59:58.000Z');
    const every: Timing = { cron: null, everyMs: 1000, timezone: 'UTC', startAt: start, endAt: null, anchor: start };
    expect(firesAfter(every, new Date('9999-01-01T00:00:00Z'), 5).map((d) => d.toISOString())).toEqual([
      '9999-12-31T23:59:58.000Z',
      '9999-12-31T23:59:59.000Z',
    ]);
    expect(
      firesAfter(cron('0 0 1 1 *', 'UTC'), new Date('9998-06-01T00:00:00Z'), 5).map((d) => d.toISOString()),
    ).toEqual(['9999-01-01T00:00:00.000Z']);
  });

  it('takes periods of up to a year, beyond what a 32-bit count of milliseconds holds', () => {
    const year = 366 * 24 * 3_600_000;
    const anchor = new Date('2026-01-01T00:00:00Z');
    const every: Timing = { cron: null, everyMs: year, timezone: 'UTC', startAt: null, endAt: null, anchor };
    expect(firesAfter(every, anchor, 2).map((d) => d.toISOString())).toEqual([
      '2027-01-02T00:00:00.000Z',
      '2028-01-03T00:00:00.000Z',
    ]);
  });
});
