import type { ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import type { Metrics } from '../metrics/metrics.service';
import { liveClientOf, LiveRateLimiter } from './live-rate-limiter';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

function limiterWith(records: StorageRecord[]) {
  const increment = jest.fn(() => Promise.resolve(records.shift()!));
  const rateLimited = jest.fn();
  const config = { rateLimits: { livePerMinute: 3 } } as AppConfig;
  const limiter = new LiveRateLimiter(
    { increment } as unknown as ThrottlerStorage,
    { rateLimited } as unknown as Metrics,
    config,
  );
  return { limiter, increment, rateLimited };
}

const record = (totalHits: number, blockedS = 0): StorageRecord => ({
  totalHits,
  timeToExpire: 60,
  isBlocked: blockedS > 0,
  timeToBlockExpire: blockedS,
});

describe('LiveRateLimiter', () => {
  it("counts each take against the client's budget of the minute", async () => {
    const { limiter, increment } = limiterWith([record(1)]);
    expect(await limiter.take('user:u1')).toBeUndefined();
    expect(increment).toHaveBeenCalledWith('live:user:u1', 60_000, 3, 60_000, 'live');
  });

  it('refuses over the budget until the block ends, without asking Redis again meanwhile', async () => {
    const { limiter, increment, rateLimited } = limiterWith([record(4, 37)]);
    expect(await limiter.take('ip:203.0.113.1')).toEqual({ retryAfter: 37 });
    const again = await limiter.take('ip:203.0.113.1');
    expect(again!.retryAfter).toBeGreaterThan(0);
    expect(again!.retryAfter).toBeLessThanOrEqual(37);
    expect(increment).toHaveBeenCalledTimes(1);
    expect(rateLimited).toHaveBeenCalledTimes(2);
  });

  it('keys a user by their id and an API key by its own', () => {
    const base = { email: 'a@b.c', role: 'viewer' as const, permissions: new Set<never>() };
    expect(liveClientOf({ ...base, type: 'user', userId: 'u1' })).toBe('user:u1');
    expect(liveClientOf({ ...base, type: 'apiKey', userId: 'u1', apiKeyId: 'k1' })).toBe('key:k1');
  });
});
