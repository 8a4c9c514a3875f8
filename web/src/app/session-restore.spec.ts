import { ApiError } from '../api/errors';
import { isUnavailable, retryDelayMs, unavailableWords } from './session-restore';

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

  it('says a rate limit is the service limiting requests, with when to try again, not that it is unreachable', () => {
    const limited = new ApiError(429, 'RATE_LIMITED', 'Too many requests', 'r6', [], 30);
    expect(unavailableWords(limited, retryDelayMs(1, limited))).toEqual({
      pageTitle: 'Requests limited',
      heading: 'Requests to YMERA are being limited',
      title: 'Too many requests for now: try again in 30 seconds',
      until: 'the service takes requests again',
    });
    expect(unavailableWords(limited, 120_000).title).toBe('Too many requests for now: try again in 2 minutes');
    for (const down of [new ApiError(503, 'SERVICE_UNAVAILABLE', 'down', 'r7'), new TypeError('Failed to fetch')]) {
      expect(unavailableWords(down, 2_000)).toEqual({
        pageTitle: 'Unavailable',
        heading: 'YMERA is unavailable',
        title: 'The service could not be reached',
        until: 'the service answers',
      });
    }
  });
});
