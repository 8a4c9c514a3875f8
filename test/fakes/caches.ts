import type { SharedCache } from '../../src/redis/shared-cache';
import type { CacheFactory } from '../../src/agents/ports';

/** Shared caches in this process only: entries never expire, and each drop is counted. */
export class FakeCaches implements CacheFactory {
  readonly invalidated: string[] = [];
  loads = 0;

  create<V extends object>(name: string, load: (id: string) => Promise<V | null>): SharedCache<V> {
    const values = new Map<string, V>();
    const listeners = new Set<(id: string | undefined) => void>();
    return {
      onDrop: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      get: async (id, own) => {
        const cached = values.get(id);
        if (cached) return cached;
        this.loads += 1;
        const value = await (own ?? load)(id);
        if (value) values.set(id, value);
        return value;
      },
      invalidate: async (id) => {
        values.delete(id);
        this.invalidated.push(`${name}:${id}`);
        for (const listener of listeners) listener(id);
      },
    };
  }
}
