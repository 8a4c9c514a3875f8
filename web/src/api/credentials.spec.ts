import { ApiError } from './errors';
import { accessToken, refreshAccessToken, setAccessToken } from './credentials';

const realFetch = global.fetch;

function answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
  global.fetch = jest.fn(() =>
    Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } }),
    ),
  );
}

afterEach(() => {
  global.fetch = realFetch;
  setAccessToken(null);
});

describe('refreshAccessToken', () => {
  it('keeps the new access token', async () => {
    answer(200, { status: 'success', data: { accessToken: 'new-token' } });
    await expect(refreshAccessToken()).resolves.toEqual({ kind: 'refreshed' });
    expect(accessToken()).toBe('new-token');
  });

  it.each([400, 401, 403])('takes a %i as signed out', async (status) => {
    answer(status, { status: 'error', error: { code: 'UNAUTHENTICATED', message: 'no' } });
    await expect(refreshAccessToken()).resolves.toEqual({ kind: 'signed-out' });
  });

  it('takes a 503 as the service unavailable, with its code and request id, and a copy for each caller', async () => {
    answer(
      503,
      {
        status: 'error',
        error: { code: 'SERVICE_UNAVAILABLE', message: 'Redis is down' },
        meta: { requestId: 'req-1' },
      },
      { 'Retry-After': '5' },
    );
    setAccessToken('old-token');
    const outcome = await refreshAccessToken();
    expect(outcome.kind).toBe('unavailable');
    if (outcome.kind !== 'unavailable') return;
    expect(outcome.error).toBeInstanceOf(ApiError);
    expect(outcome.error).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      requestId: 'req-1',
      retryAfterSeconds: 5,
    });
    const first = outcome.response?.();
    const second = outcome.response?.();
    expect(first?.status).toBe(503);
    await expect(first?.json()).resolves.toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    await expect(second?.json()).resolves.toMatchObject({ meta: { requestId: 'req-1' } });
    // The session is not dropped: the token held is kept for when the service is back.
    expect(accessToken()).toBe('old-token');
  });

  it('takes no answer at all as the service unavailable', async () => {
    global.fetch = jest.fn(() => Promise.reject(new TypeError('Failed to fetch')));
    const outcome = await refreshAccessToken();
    expect(outcome).toMatchObject({ kind: 'unavailable', error: { message: 'Failed to fetch' } });
  });
});
