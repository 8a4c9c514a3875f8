import { retryUntilStopped, withDbRetry } from './db-retry';

const unavailable = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A write that fails as an unreachable database would, `failures` times, then succeeds. */
function flaky(failures: number): { write: () => Promise<string>; tries: () => number } {
  let tries = 0;
  return {
    write: async () => {
      tries += 1;
      if (tries <= failures) throw unavailable();
      return 'written';
    },
    tries: () => tries,
  };
}

describe('database retries', () => {
  it('a write along the way gives up once its budget is spent', async () => {
    const { write, tries } = flaky(Infinity);
    await expect(withDbRetry(write, 400)).rejects.toThrow('ECONNREFUSED');
    expect(tries()).toBe(2);
  });

  it('an outcome write outlasts that budget, reporting the outage once and its end', async () => {
    const { write, tries } = flaky(3);
    const events: string[] = [];
    const listener = { held: () => events.push('held'), released: (stored: boolean) => events.push(`${stored}`) };
    await expect(retryUntilStopped(write, new AbortController().signal, listener)).resolves.toBe('written');
    expect(tries()).toBe(4);
    expect(events).toEqual(['held', 'true']);
  });

  it('an outcome write is given up at shutdown after one last try', async () => {
    const { write, tries } = flaky(Infinity);
    const stop = new AbortController();
    const events: string[] = [];
    const listener = { held: () => events.push('held'), released: (stored: boolean) => events.push(`${stored}`) };
    const pending = retryUntilStopped(write, stop.signal, listener);
    await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await expect(pending).rejects.toThrow('ECONNREFUSED');
    expect(tries()).toBe(2);
    expect(events).toEqual(['held', 'false']);
  });

  it('a statement error is not retried', async () => {
    const write = jest.fn().mockRejectedValue(Object.assign(new Error('syntax'), { code: '42601' }));
    await expect(retryUntilStopped(write, new AbortController().signal)).rejects.toThrow('syntax');
    expect(write).toHaveBeenCalledTimes(1);
  });
});
