import { RepeatedWarnings } from './repeated-warnings';

describe('RepeatedWarnings', () => {
  it('logs a repeated warning once per window, then with how many came meanwhile', () => {
    const lines: string[] = [];
    let now = 0;
    const warnings = new RepeatedWarnings({ warn: (m) => lines.push(m) }, 10_000, () => now);
    for (let i = 0; i < 19; i += 1) {
      warnings.warn('Redis (queue): connect ECONNREFUSED');
      now += 500;
    }
    warnings.warn('worker: Connection is closed.');
    now = 10_000;
    warnings.warn('Redis (queue): connect ECONNREFUSED');
    warnings.warn('Redis (queue): connect ECONNREFUSED');
    expect(lines).toEqual([
      'Redis (queue): connect ECONNREFUSED',
      'worker: Connection is closed.',
      'Redis (queue): connect ECONNREFUSED (18 more since 1970-01-01T00:00:00.000Z)',
    ]);
  });

  it('remembers a bounded number of messages', () => {
    const lines: string[] = [];
    const warnings = new RepeatedWarnings({ warn: (m) => lines.push(m) }, 10_000, () => 0);
    for (let i = 0; i < 150; i += 1) warnings.warn(`message ${i}`);
    warnings.warn('message 0');
    expect(lines).toHaveLength(151);
    warnings.warn('message 149');
    expect(lines).toHaveLength(151);
  });
});
