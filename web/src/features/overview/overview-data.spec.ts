import {
  type OutcomeWindow,
  type StatusBucket,
  bucketLabel,
  bucketsSummary,
  bucketsToRows,
  clockTime,
  durationRows,
  failureRateRows,
  failureRateSummary,
  failureSummary,
  formatCount,
  formatDuration,
  formatPercent,
  hasNoRecentTasks,
  parseWindow,
  queueBacklog,
  workersDetail,
} from './overview-data';

const bucket = (start: string, counts: Partial<Omit<StatusBucket, 'start'>> = {}): StatusBucket => ({
  start,
  queued: 0,
  running: 0,
  retrying: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  expired: 0,
  ...counts,
});

const window = (counts: Partial<OutcomeWindow> = {}): OutcomeWindow => ({
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  failureRate: null,
  byAgentType: [],
  ...counts,
});

describe('formatDuration', () => {
  it('reads in ms, s or min', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(849.6)).toBe('850 ms');
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(12_380)).toBe('12.4 s');
    expect(formatDuration(59_949)).toBe('59.9 s');
    expect(formatDuration(60_000)).toBe('1.0 min');
    expect(formatDuration(192_000)).toBe('3.2 min');
    expect(formatDuration(75 * 60_000)).toBe('75 min');
    expect(formatDuration(2000 * 60_000)).toBe('2,000 min');
  });

  it('says nothing it does not know', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
  });
});

describe('formatPercent and formatCount', () => {
  it('shows rates as percentages with at most one decimal', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.4)).toBe('40%');
    expect(formatPercent(1 / 3)).toBe('33.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(null)).toBe('—');
  });

  it('groups counts', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('failureSummary', () => {
  it('gives the rate and the counts it comes from', () => {
    expect(failureSummary(window({ succeeded: 3, failed: 2, failureRate: 0.4 }))).toEqual({
      value: '40%',
      detail: '2 failed of 5 finished',
    });
    expect(failureSummary(window({ succeeded: 1200, failed: 0, cancelled: 3, failureRate: 0 }))).toEqual({
      value: '0%',
      detail: '0 failed of 1,200 finished, 3 cancelled',
    });
  });

  it('says when no task finished', () => {
    expect(failureSummary(window())).toEqual({ value: '—', detail: 'no task finished' });
    expect(failureSummary(window({ cancelled: 2 }))).toEqual({ value: '—', detail: 'none finished, 2 cancelled' });
  });
});

describe('parseWindow', () => {
  it('is the hour unless the day is asked for', () => {
    expect(parseWindow(null)).toBe('hour');
    expect(parseWindow('hour')).toBe('hour');
    expect(parseWindow('day')).toBe('day');
    expect(parseWindow('week')).toBe('hour');
  });
});

describe('bucketLabel', () => {
  it('shows minutes for the hour and whole hours for the day, in the given time zone', () => {
    expect(bucketLabel('2026-01-01T14:05:00.000Z', 'hour', 'UTC')).toBe('14:05');
    expect(bucketLabel('2026-01-01T00:05:00.000Z', 'hour', 'UTC')).toBe('00:05');
    expect(bucketLabel('2026-01-01T14:00:00.000Z', 'day', 'UTC')).toBe('14:00');
    expect(bucketLabel('2026-01-01T14:05:00.000Z', 'hour', 'Asia/Kolkata')).toBe('19:35');
  });
});

describe('clockTime', () => {
  it('is the time of day with seconds', () => {
    expect(clockTime('2026-01-01T19:09:42.512Z', 'UTC')).toBe('19:09:42');
    expect(clockTime('2026-01-01T00:00:05.000Z', 'UTC')).toBe('00:00:05');
  });
});

describe('bucketsToRows', () => {
  it('keeps the order and the counts, and adds a label and a total', () => {
    const rows = bucketsToRows(
      [bucket('2026-01-01T14:04:00.000Z'), bucket('2026-01-01T14:05:00.000Z', { succeeded: 3, failed: 1, queued: 2 })],
      'hour',
      'UTC',
    );
    expect(rows).toEqual([
      {
        start: '2026-01-01T14:04:00.000Z',
        label: '14:04',
        total: 0,
        queued: 0,
        running: 0,
        retrying: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        expired: 0,
      },
      {
        start: '2026-01-01T14:05:00.000Z',
        label: '14:05',
        total: 6,
        queued: 2,
        running: 0,
        retrying: 0,
        succeeded: 3,
        failed: 1,
        cancelled: 0,
        expired: 0,
      },
    ]);
  });
});

describe('failureRateRows and failureRateSummary', () => {
  const buckets = [
    bucket('2026-01-01T14:00:00.000Z', { succeeded: 3, failed: 1 }),
    bucket('2026-01-01T14:01:00.000Z', { running: 2, cancelled: 1 }),
    bucket('2026-01-01T14:02:00.000Z', { succeeded: 1, failed: 2 }),
  ];

  it('gives each bucket the share of failures among its decided tasks, or none', () => {
    expect(failureRateRows(buckets, 'hour', 'UTC')).toEqual([
      { start: '2026-01-01T14:00:00.000Z', label: '14:00', rate: 25, failed: 1, decided: 4 },
      { start: '2026-01-01T14:01:00.000Z', label: '14:01', rate: null, failed: 0, decided: 0 },
      { start: '2026-01-01T14:02:00.000Z', label: '14:02', rate: 66.7, failed: 2, decided: 3 },
    ]);
  });

  it('sums it up in a sentence naming the worst bucket', () => {
    expect(failureRateSummary(failureRateRows(buckets, 'hour', 'UTC'), 'hour')).toBe(
      '42.9% of the tasks created in the last hour that finished failed (3 of 7); the worst minute was 14:02 at 66.7%.',
    );
    expect(
      failureRateSummary(failureRateRows([bucket('2026-01-01T14:00:00.000Z', { succeeded: 2 })], 'day'), 'day'),
    ).toBe('0% of the tasks created in the last 24 hours that finished failed (0 of 2).');
    expect(failureRateSummary(failureRateRows([bucket('2026-01-01T14:00:00.000Z')], 'hour'), 'hour')).toBe(
      'No task created in the last hour has succeeded or failed yet.',
    );
  });
});

describe('bucketsSummary', () => {
  it('counts the tasks by status, leaving out the statuses with none', () => {
    expect(
      bucketsSummary(
        [
          bucket('2026-01-01T14:00:00.000Z', { succeeded: 1000, failed: 2 }),
          bucket('2026-01-01T14:01:00.000Z', { running: 1, succeeded: 1 }),
        ],
        'hour',
      ),
    ).toBe('1,004 tasks created in the last hour, by current status: 1 running, 1,001 succeeded, 2 failed.');
    expect(bucketsSummary([bucket('2026-01-01T14:00:00.000Z', { queued: 1 })], 'day')).toBe(
      '1 task created in the last 24 hours, by current status: 1 queued.',
    );
    expect(bucketsSummary([bucket('2026-01-01T14:00:00.000Z')], 'day')).toBe(
      'No tasks were created in the last 24 hours.',
    );
  });
});

describe('hasNoRecentTasks', () => {
  const empty = { perHour: [bucket('2026-01-01T14:00:00.000Z')], lastDay: window(), running: 0 };

  it('is true only when nothing was created, finished or is running', () => {
    expect(hasNoRecentTasks(empty)).toBe(true);
    expect(hasNoRecentTasks({ ...empty, running: 1 })).toBe(false);
    expect(hasNoRecentTasks({ ...empty, lastDay: window({ cancelled: 1 }) })).toBe(false);
    expect(hasNoRecentTasks({ ...empty, perHour: [bucket('2026-01-01T14:00:00.000Z', { queued: 1 })] })).toBe(false);
  });
});

describe('queueBacklog and durationRows', () => {
  it('counts what waits to run', () => {
    expect(queueBacklog({ waiting: 3, prioritized: 2, active: 7, delayed: 1, failed: 9 })).toBe(6);
  });

  it('lists the slowest agent types first, those without a duration last', () => {
    const rows = durationRows(
      window({
        byAgentType: [
          { agentType: 'calculator', finished: 5, p95Ms: 12 },
          { agentType: 'llm', finished: 2, p95Ms: null },
          { agentType: 'http', finished: 3, p95Ms: 2500 },
          { agentType: 'data-processor', finished: 1, p95Ms: 12 },
        ],
      }),
    );
    expect(rows.map((r) => r.agentType)).toEqual(['http', 'calculator', 'data-processor', 'llm']);
  });
});

describe('workersDetail', () => {
  it('warns that queued tasks wait when no worker is running', () => {
    expect(workersDetail(0)).toEqual({ text: 'None running: queued tasks wait until a worker starts', alarming: true });
  });

  it('says the workers are connected otherwise, in the right number', () => {
    expect(workersDetail(1)).toEqual({ text: 'Worker connected to the task queue', alarming: false });
    expect(workersDetail(4)).toEqual({ text: 'Workers connected to the task queue', alarming: false });
  });
});
