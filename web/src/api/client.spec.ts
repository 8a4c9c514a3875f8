import { UNREACHABLE_MESSAGE, UnreachableError } from './errors';
import type * as Client from './client';

const realFetch = global.fetch;
// The client's address is the page's: a window with an origin is all it reads of it.
Object.defineProperty(globalThis, 'window', {
  value: { location: { origin: 'https://ymera.test' } },
  configurable: true,
});
const { api } = jest.requireActual<typeof Client>('./client');

afterAll(() => Reflect.deleteProperty(globalThis, 'window'));
afterEach(() => {
  global.fetch = realFetch;
});

describe('the API client', () => {
  it('says a request that got no answer at all in words, not as "Failed to fetch"', async () => {
    const offline = new TypeError('Failed to fetch');
    global.fetch = jest.fn(() => Promise.reject(offline));
    const call = api.GET('/api/v1/agents');
    await expect(call).rejects.toBeInstanceOf(UnreachableError);
    await expect(call).rejects.toMatchObject({ message: UNREACHABLE_MESSAGE, cause: offline });
  });

  it('keeps an aborted request as it is', async () => {
    const aborted = new DOMException('The operation was aborted.', 'AbortError');
    global.fetch = jest.fn(() => Promise.reject(aborted));
    await expect(api.GET('/api/v1/agents')).rejects.toBe(aborted);
  });

  it('hands on an answer, even a refusal, as the answer', async () => {
    global.fetch = jest.fn(() =>
      Promise.resolve(
        new Response(JSON.stringify({ status: 'error', error: { code: 'FORBIDDEN', message: 'No' } }), {
          status: 403,
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    );
    const { error, response } = await api.GET('/api/v1/agents');
    expect(response.status).toBe(403);
    expect(error).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});
