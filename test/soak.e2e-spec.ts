import { runSoak, soakOptionsFromEnv } from '../bench/soak';
import { buildApp } from './utils/built-app';

/**
 * The short form of `npm run soak`: 180 tasks over 30 s through two API processes; an API SIGKILLed at 8 s,
 * a worker at 16 s, and Redis SIGKILLed and restarted empty 2 s later, while that worker's jobs are still
 * locked. Every task must succeed once, with the right output, and the audit chain must hold.
 */
describe('nothing is lost under chaos (short soak)', () => {
  beforeAll(() => buildApp(), 180_000);

  it('every task succeeds exactly once with its right output; the client sees no 5xx but 503/504', async () => {
    const options = soakOptionsFromEnv(
      {},
      {
        tasks: 180,
        durationMs: 30_000,
        killIntervalMs: 16_000,
        apiKillAtMs: 8_000,
        redisAfterKillMs: 2_000,
        slowShare: 0.25,
        slowMaxMs: 2_500,
        drainTimeoutMs: 45_000,
        log: (line) => process.stdout.write(`${line}\n`),
      },
    );
    const report = await runSoak(options);
    expect(report.kills).toEqual(expect.objectContaining({ worker: 1, api: 1, redis: 1 }));
    expect(report.violations).toEqual([]);
    expect(report).toEqual(expect.objectContaining({ lost: 0, wrong: 0, duplicates: 0, auditValid: true }));
  }, 240_000);
});
