import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { loadConfig } from '../config/app-config';
import type { RedisConnectionFactory } from './redis-connection.factory';
import { SharedCaches } from './shared-cache';

/** The subscriber connection: what SharedCaches listens to, driven by the test. */
class FakeSubscriber extends EventEmitter {
  subscribe(): Promise<number> {
    return Promise.resolve(1);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setup() {
  const subscriber = new FakeSubscriber();
  const published: string[] = [];
  const redis = { publish: (_channel: string, message: string) => Promise.resolve(published.push(message)) };
  const connections = { create: () => subscriber };
  const caches = new SharedCaches(
    redis as unknown as Redis,
    connections as unknown as RedisConnectionFactory,
    loadConfig({}),
  );
  const loads: { id: string; result: ReturnType<typeof deferred<{ v: number } | null>> }[] = [];
  const cache = caches.create(
    'thing',
    (id) => {
      const result = deferred<{ v: number } | null>();
      loads.push({ id, result });
      return result.promise;
    },
    { ttlMs: 60_000, max: 100 },
  );
  return { subscriber, cache, loads, published };
}

describe('SharedCaches', () => {
  it('shares one load between concurrent misses and keeps its result', async () => {
    const { cache, loads } = setup();
    const a = cache.get('x');
    const b = cache.get('x');
    expect(loads).toHaveLength(1);
    loads[0].result.resolve({ v: 1 });
    await expect(Promise.all([a, b])).resolves.toEqual([{ v: 1 }, { v: 1 }]);
    await expect(cache.get('x')).resolves.toEqual({ v: 1 });
    expect(loads).toHaveLength(1);
  });

  it('reads a miss with the caller’s own loader, shared with no one, and keeps it unless dropped meanwhile', async () => {
    const { cache, loads } = setup();
    const own = deferred<{ v: number } | null>();
    const mine = cache.get('x', () => own.promise);
    // Another caller does not wait for a load made in someone else's transaction: it loads for itself.
    const other = cache.get('x');
    expect(loads).toHaveLength(1);
    own.resolve({ v: 1 });
    loads[0].result.resolve({ v: 2 });
    await expect(Promise.all([mine, other])).resolves.toEqual([{ v: 1 }, { v: 2 }]);
    const dropped = deferred<{ v: number } | null>();
    const late = cache.get('y', () => dropped.promise);
    await cache.invalidate('y');
    dropped.resolve({ v: 3 });
    await expect(late).resolves.toEqual({ v: 3 });
    void cache.get('y');
    expect(loads.map((l) => l.id)).toEqual(['x', 'y']);
  });

  it('answers callers waiting on a load when the subscriber reconnects, and loads afresh afterwards', async () => {
    const { subscriber, cache, loads } = setup();
    const waiting = cache.get('x');
    subscriber.emit('ready');
    loads[0].result.resolve({ v: 1 });
    await expect(waiting).resolves.toEqual({ v: 1 });
    const after = cache.get('x');
    expect(loads).toHaveLength(2);
    loads[1].result.resolve({ v: 2 });
    await expect(after).resolves.toEqual({ v: 2 });
  });

  it('answers callers waiting on a load that an invalidation overtakes, and keeps nothing of it', async () => {
    const { subscriber, cache, loads, published } = setup();
    const local = cache.get('x');
    await cache.invalidate('x');
    expect(published).toHaveLength(1);
    const remote = cache.get('y');
    subscriber.emit('message', 'channel', JSON.stringify({ name: 'thing', id: 'y' }));
    const missing = cache.get('z');
    subscriber.emit('ready');
    loads[0].result.resolve({ v: 1 });
    loads[1].result.resolve({ v: 1 });
    loads[2].result.resolve(null);
    await expect(Promise.all([local, remote, missing])).resolves.toEqual([{ v: 1 }, { v: 1 }, null]);
    void cache.get('x');
    void cache.get('y');
    expect(loads.map((l) => l.id)).toEqual(['x', 'y', 'z', 'x', 'y']);
  });

  it("tells its drop listeners of this process's drops, other processes' and a reconnection's, until stopped", async () => {
    const { subscriber, cache } = setup();
    const dropped: (string | undefined)[] = [];
    const stop = cache.onDrop((id) => dropped.push(id));
    await cache.invalidate('x');
    subscriber.emit('message', 'channel', JSON.stringify({ name: 'thing', id: 'y' }));
    subscriber.emit('message', 'channel', JSON.stringify({ name: 'other', id: 'z' }));
    subscriber.emit('ready');
    stop();
    await cache.invalidate('w');
    expect(dropped).toEqual(['x', 'y', undefined]);
  });
});
