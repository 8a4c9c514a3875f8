import { disableReason, nextStep, resultOfStatus } from './webhook-rules';

const settings = { maxAttempts: 4, backoffMs: 1000, disableAfterFailures: 3, disableAfterMs: 86_400_000 };

describe('webhook retry rules', () => {
  it('delivers on 2xx, retries 408, 429 and 5xx, fails other statuses at once', () => {
    expect(resultOfStatus(200)).toEqual({ ok: true });
    expect(resultOfStatus(204)).toEqual({ ok: true });
    for (const status of [408, 429, 500, 502, 503])
      expect(resultOfStatus(status)).toEqual({ ok: false, retryable: true });
    for (const status of [301, 400, 401, 404, 410, 422])
      expect(resultOfStatus(status)).toEqual({ ok: false, retryable: false });
  });

  it('backs off exponentially while attempts remain, then fails', () => {
    const retry = { ok: false, retryable: true } as const;
    expect(nextStep(retry, 1, settings)).toEqual({ status: 'pending', delayMs: 1000 });
    expect(nextStep(retry, 2, settings)).toEqual({ status: 'pending', delayMs: 2000 });
    expect(nextStep(retry, 3, settings)).toEqual({ status: 'pending', delayMs: 4000 });
    expect(nextStep(retry, 4, settings)).toEqual({ status: 'failed' });
  });

  it('waits longer when the receiver asks to (Retry-After)', () => {
    expect(nextStep({ ok: false, retryable: true }, 1, settings, 30_000)).toEqual({
      status: 'pending',
      delayMs: 30_000,
    });
  });

  it('fails a non-retryable answer on its first attempt and succeeds on any', () => {
    expect(nextStep({ ok: false, retryable: false }, 1, settings)).toEqual({ status: 'failed' });
    expect(nextStep({ ok: true }, 4, settings)).toEqual({ status: 'succeeded' });
  });
});

describe('webhook disabling rule', () => {
  const now = new Date('2030-01-02T00:00:00Z');

  it('disables after the configured deliveries failed in a row', () => {
    expect(disableReason({ consecutiveFailures: 2, failingSince: now }, now, settings)).toBeUndefined();
    expect(disableReason({ consecutiveFailures: 3, failingSince: now }, now, settings)).toMatch(/3 deliveries/);
  });

  it('disables after failing for the configured time without a success', () => {
    const since = new Date(now.getTime() - 86_400_000);
    expect(disableReason({ consecutiveFailures: 1, failingSince: since }, now, settings)).toMatch(/failing since/);
    const recent = new Date(now.getTime() - 86_399_000);
    expect(disableReason({ consecutiveFailures: 1, failingSince: recent }, now, settings)).toBeUndefined();
    expect(disableReason({ consecutiveFailures: 0, failingSince: null }, now, settings)).toBeUndefined();
  });
});
