import { setImmediate as tick } from 'node:timers/promises';
import { AuditContextStore, type AuditRequestContext } from './audit-context';

const context = (requestId: string): AuditRequestContext => ({
  ip: null,
  userAgent: null,
  requestId,
  recorded: false,
});

/** Whether Node's storage (and with it the hook on every promise) is on: Node keeps it as `enabled`. */
const storageOn = (store: AuditContextStore): boolean =>
  (store as unknown as { storage: { enabled: boolean } }).storage.enabled;

describe('AuditContextStore', () => {
  it('gives each run its own context across awaits, and switches the storage off when none is left', async () => {
    const store = new AuditContextStore();
    const seen: (string | null | undefined)[] = [];
    const work = (id: string, wait: number) =>
      store.run(context(id), async () => {
        for (let i = 0; i < wait; i += 1) await tick();
        seen.push(`${id}:${store.current()?.requestId}`);
      });
    const slow = work('a', 3);
    await work('b', 1);
    expect(storageOn(store)).toBe(true);
    await slow;
    expect(seen).toEqual(['b:b', 'a:a']);
    expect(storageOn(store)).toBe(false);
    expect(store.current()).toBeUndefined();
  });

  it('keeps the storage on while held, for work that outlives run', async () => {
    const store = new AuditContextStore();
    const release = store.hold();
    let later: Promise<string | null | undefined> | undefined;
    store.run(context('held'), () => {
      later = tick().then(() => store.current()?.requestId);
    });
    await expect(later).resolves.toBe('held');
    expect(storageOn(store)).toBe(true);
    release();
    release();
    expect(storageOn(store)).toBe(false);
    // A later request turns it on again.
    await store.run(context('next'), async () => {
      await tick();
      expect(store.current()?.requestId).toBe('next');
    });
  });

  it('releases a run that throws', () => {
    const store = new AuditContextStore();
    expect(() =>
      store.run(context('x'), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(storageOn(store)).toBe(false);
  });
});
