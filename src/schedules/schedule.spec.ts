import type { Schedule, TimingFields } from './schedule';
import { newScheduleEndProblems, timingOf, timingProblems } from './schedule';
import { firesAfter } from './schedule-timing';

const PERIOD = 60_000;
const CREATED = new Date('2026-12-03T10:00:00.123Z');
const schedule = (fields: Partial<Schedule>): Schedule =>
  ({
    cron: null,
    everyMs: PERIOD,
    timezone: 'UTC',
    startAt: null,
    endAt: null,
    createdAt: CREATED,
    ...fields,
  }) as Schedule;
const at = (ms: number) => new Date(CREATED.getTime() + ms);

describe('timingOf', () => {
  it('fires a fixed period one period after the creation, which is no fire itself', () => {
    // Read from before the creation, as the sync reads a schedule whose handled-until time precedes its row's.
    expect(firesAfter(timingOf(schedule({})), at(-5), 3)).toEqual([at(PERIOD), at(2 * PERIOD), at(3 * PERIOD)]);
    expect(firesAfter(timingOf(schedule({})), at(PERIOD), 1)).toEqual([at(2 * PERIOD)]);
  });

  it('fires a fixed period from its start, the start included', () => {
    const startAt = new Date('2027-01-01T00:00:00Z');
    expect(firesAfter(timingOf(schedule({ startAt })), CREATED, 2)).toEqual([
      startAt,
      new Date(startAt.getTime() + PERIOD),
    ]);
  });

  it('leaves a cron pattern without a start unbounded', () => {
    const fires = firesAfter(timingOf(schedule({ everyMs: null, cron: '*/5 * * * *' })), at(-5), 1);
    expect(fires).toEqual([new Date('2026-12-03T10:05:00Z')]);
  });
});

describe('timingProblems', () => {
  const timing = (fields: Partial<TimingFields>): TimingFields => ({ ...schedule({}), ...fields });

  it('names every problem of the times at once', () => {
    const problems = timingProblems(
      timing({ cron: 'not a pattern', everyMs: null, timezone: 'Mars/Olympus', startAt: at(10), endAt: at(5) }),
    );
    expect(problems.map((p) => p.field)).toEqual(['/timezone', '/cron', '/endAt']);
  });

  it('refuses a new pattern that fires too seldom, and keeps one already stored when asked to', () => {
    const rare = timing({ cron: '0 0 ? 2 1#5', everyMs: null });
    expect(timingProblems(rare)).toEqual([
      {
        field: '/cron',
        message: 'fires less than once every 10 years (up to 40 years apart): give a pattern that fires more often',
      },
    ]);
    expect(timingProblems(rare, false)).toEqual([]);
    expect(timingProblems(timing({ cron: '0 0 29 2 *', everyMs: null }))).toEqual([]);
  });

  it('finds nothing wrong with a period and an end after the start', () => {
    expect(timingProblems(timing({ startAt: at(10), endAt: at(PERIOD * 3) }))).toEqual([]);
  });
});

describe('newScheduleEndProblems', () => {
  const timing = (fields: Partial<TimingFields>): TimingFields => ({ ...schedule({}), ...fields });
  const check = (fields: Partial<TimingFields>) => {
    const known = timingProblems(timing(fields));
    return newScheduleEndProblems(timing(fields), known, CREATED).map((p) => p.message);
  };

  it('refuses an end already past', () => {
    expect(check({ endAt: at(-1) })).toEqual(['must be in the future']);
  });

  it('refuses an end before the first fire', () => {
    expect(check({ endAt: at(PERIOD - 1) })).toEqual(['comes before the first fire: the schedule would never fire']);
    expect(check({ endAt: at(PERIOD + 1) })).toEqual([]);
  });

  it('adds nothing to a problem already found with the end', () => {
    expect(check({ startAt: at(-1), endAt: at(-2) })).toEqual([]);
  });

  it('takes a schedule without an end as it is', () => {
    expect(check({})).toEqual([]);
  });
});
