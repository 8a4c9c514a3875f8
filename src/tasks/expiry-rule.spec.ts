import { expiryOf } from './expiry-rule';

describe('expiryOf', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('never expires a task that asks for nothing', () => {
    expect(expiryOf({}, now)).toEqual({ expireAt: null });
  });

  it('counts ttlMs from the submission', () => {
    expect(expiryOf({ ttlMs: 1500 }, now)).toEqual({ expireAt: later(1500) });
  });

  it('takes a future expireAt as given', () => {
    expect(expiryOf({ expireAt: later(60_000) }, now)).toEqual({ expireAt: later(60_000) });
  });

  it('refuses an expireAt that is not in the future', () => {
    expect(expiryOf({ expireAt: now }, now, '/tasks/2')).toEqual([
      { field: '/tasks/2/expireAt', message: 'must be in the future' },
    ]);
  });

  it('refuses ttlMs and expireAt together', () => {
    expect(expiryOf({ ttlMs: 1000, expireAt: later(5000) }, now)).toEqual([
      { field: '/expireAt', message: 'give either ttlMs or expireAt, not both' },
    ]);
  });

  it('refuses an expiry no later than runAt', () => {
    expect(expiryOf({ ttlMs: 1000, runAt: later(1000) }, now)).toEqual([
      { field: '/ttlMs', message: 'must end after runAt: the task could never start' },
    ]);
    expect(expiryOf({ expireAt: later(2000), runAt: later(1000) }, now)).toEqual({ expireAt: later(2000) });
  });
});
