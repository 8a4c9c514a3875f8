import { ApiError } from '../api/errors';
import { isUnavailable, retryDelayMs } from './session-restore';

describe('a session restored during an outage', () => {
  it('takes a 5xx, a 429 or no answer as the service being unavailable, not as signed out', () => {
    expect(isUnavailable(new ApiError(503, 'SERVICE_UNAVAILABLE', 'Redis is down', 'r1'))).toBe(true);
    expect(isUnavailable(new ApiError(500, 'INTERNAL', 'boom', 'r2'))).toBe(true);
    expect(isUnavailable(new ApiError(429, 'RATE_LIMITED', 'slow down', 'r3'))).toBe(true);
    expect(isUnavailable(new TypeError('Failed to fetch'))).toBe(true);
    expect(isUnavailable(new ApiError(401, 'UNAUTHENTICATED', 'no', 'r4'))).toBe(false);
    expect(isUnavailable(new ApiError(403, 'FORBIDDEN', 'no', 'r5'))).toBe(false);
  });

  it('asks again after 2 s, doubling up to 30 s, and not before the server’s Retry-After', () => {
    const error = new TypeError('Failed to fetch');
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => retryDelayMs(n, error))).toEqual([
      2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    const busy = new ApiError(503, 'SERVICE_UNAVAILABLE', 'busy', 'r', [], 45);
    expect(retryDelayMs(1, busy)).toBe(45_000);
  });
});
