import { type Locks, oneTabAtATime } from './tab-lock';

/** Exclusive locks by name, granted in the order asked, as the browser grants them to an origin's tabs. */
function exclusiveLocks(): Locks & { asked: string[] } {
  const tails = new Map<string, Promise<unknown>>();
  const asked: string[] = [];
  return {
    asked,
    request<T>(name: string, work: () => Promise<T>): Promise<T> {
      asked.push(name);
      const granted = (tails.get(name) ?? Promise.resolve()).then(work);
      tails.set(
        name,
        granted.catch(() => undefined),
      );
      return granted;
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every promise callback that can run, run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('oneTabAtATime', () => {
  it("starts a second tab's work only once the first's has settled", async () => {
    const locks = exclusiveLocks();
    const firstDone = deferred();
    const events: string[] = [];
    const first = oneTabAtATime(
      'ymera:refresh',
      async () => {
        events.push('first starts');
        await firstDone.promise;
        events.push('first ends');
        return 1;
      },
      locks,
    );
    const second = oneTabAtATime(
      'ymera:refresh',
      async () => {
        events.push('second starts');
        return 2;
      },
      locks,
    );
    await settle();
    expect(events).toEqual(['first starts']);
    firstDone.resolve();
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toBe(2);
    expect(events).toEqual(['first starts', 'first ends', 'second starts']);
    expect(locks.asked).toEqual(['ymera:refresh', 'ymera:refresh']);
  });

  it('hands the next tab the lock when work fails, and the failure to its caller (run once)', async () => {
    const locks = exclusiveLocks();
    const failing = jest.fn(() => Promise.reject(new Error('no answer')));
    const failed = oneTabAtATime('ymera:refresh', failing, locks);
    const next = oneTabAtATime('ymera:refresh', () => Promise.resolve('next'), locks);
    await expect(failed).rejects.toThrow('no answer');
    await expect(next).resolves.toBe('next');
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("uses the browser's navigator.locks when it has them", async () => {
    const locks = exclusiveLocks();
    const request = jest.fn((name: string, work: (lock: unknown) => Promise<unknown>) =>
      locks.request(name, () => work({ name, mode: 'exclusive' })),
    );
    Object.defineProperty(globalThis, 'navigator', { value: { locks: { request } }, configurable: true });
    try {
      await expect(oneTabAtATime('ymera:refresh', () => Promise.resolve('done'))).resolves.toBe('done');
      expect(request).toHaveBeenCalledWith('ymera:refresh', expect.any(Function));
    } finally {
      Reflect.deleteProperty(globalThis, 'navigator');
    }
  });

  it('runs the work at once where there are no Web Locks', async () => {
    expect(typeof navigator).toBe('undefined');
    await expect(oneTabAtATime('ymera:refresh', () => Promise.resolve('done'))).resolves.toBe('done');
    const work = jest.fn(() => Promise.resolve('done'));
    await expect(oneTabAtATime('ymera:refresh', work, undefined)).resolves.toBe('done');
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('runs the work once, unlocked, when the browser refuses the lock', async () => {
    const refusing: Locks = {
      request: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
    };
    const work = jest.fn(() => Promise.resolve('done'));
    await expect(oneTabAtATime('ymera:refresh', work, refusing)).resolves.toBe('done');
    expect(work).toHaveBeenCalledTimes(1);
  });
});
