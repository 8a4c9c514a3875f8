import { ApiError } from './errors';
import { REFRESH_LOCK, accessToken, refreshAccessToken, setAccessToken } from './credentials';

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
  Reflect.deleteProperty(globalThis, 'navigator');
});

/** Another tab of the console holds the refresh lock (its refresh is under way) until `release`. */
function anotherTabRefreshing(): { release: () => void; request: jest.Mock } {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  const request = jest.fn((_name: string, work: () => Promise<unknown>) => held.then(work));
  Object.defineProperty(globalThis, 'navigator', { value: { locks: { request } }, configurable: true });
  return { release, request };
}

/** Lets every promise callback that can run, run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('refreshAccessToken', () => {
  it('keeps the new access token', async () => {
    answer(200, { status: 'success', data: { accessToken: 'new-token' } });
    await expect(refreshAccessToken()).resolves.toEqual({ kind: 'refreshed' });
    expect(accessToken()).toBe('new-token');
  });

  it.each([
    [400, false],
    [401, true],
    [403, false],
  ])('takes a %i as signed out (a session ended: %s)', async (status, ended) => {
    answer(status, { status: 'error', error: { code: 'UNAUTHENTICATED', message: 'no' } });
    await expect(refreshAccessToken()).resolves.toEqual({ kind: 'signed-out', ended });
  });

  it('takes a 204 (no refresh cookie, so no session to restore) as signed out, not as a failure', async () => {
    global.fetch = jest.fn(() => Promise.resolve(new Response(null, { status: 204 })));
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

  it('shares one request between callers in the same tab', async () => {
    answer(200, { status: 'success', data: { accessToken: 'new-token' } });
    const outcomes = await Promise.all([refreshAccessToken(), refreshAccessToken(), refreshAccessToken()]);
    expect(outcomes).toEqual([{ kind: 'refreshed' }, { kind: 'refreshed' }, { kind: 'refreshed' }]);
    expect(global.fetch).toHaveBeenCalledTimes(1);
  });

  it("sends the cookie only once another tab's refresh has finished", async () => {
    answer(200, { status: 'success', data: { accessToken: 'new-token' } });
    const otherTab = anotherTabRefreshing();
    const outcome = refreshAccessToken();
    await settle();
    expect(otherTab.request).toHaveBeenCalledWith(REFRESH_LOCK, expect.any(Function));
    expect(global.fetch).not.toHaveBeenCalled();
    otherTab.release();
    await expect(outcome).resolves.toEqual({ kind: 'refreshed' });
    expect(global.fetch).toHaveBeenCalledTimes(1);
    expect(accessToken()).toBe('new-token');
  });
});
