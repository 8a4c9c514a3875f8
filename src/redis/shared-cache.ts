import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RedisConnectionFactory } from './redis-connection.factory';
import { REDIS } from './redis.constants';

/** A per-process cache of database reads that every process drops an entry from when it changes. */
export interface SharedCache<V extends object> {
  /**
   * The cached value, or the loader's (concurrent misses share one load). Null results are not kept. `load`: how
   * this caller reads it on a miss instead (in its own transaction), a load of its own that no one else waits
   * for; what it reads is kept as the loader's would be.
   */
  get(id: string, load?: (id: string) => Promise<V | null>): Promise<V | null>;
  /** Drops the entry here at once and on every other process through Redis. */
  invalidate(id: string): Promise<void>;
  /**
   * Calls `listener` whenever this process drops an entry, its own change or another process's: with its id, or
   * with undefined when it dropped them all (after a lost connection to Redis). Returns what stops it.
   */
  onDrop(listener: (id: string | undefined) => void): () => void;
}

/**
 * Values by id, loaded on a miss (concurrent misses share one load). Dropping an entry or everything
 * never fails a caller waiting on a load in flight: that caller gets the load's result, which is simply
 * not kept, and the next caller loads afresh. (lru-cache's own `fetch` would reject such waiters with
 * "deleted": it aborts the loads in flight on `delete` and `clear`.)
 */
class LoadingCache<V extends object> {
  private readonly values: LRUCache<string, V>;
  private readonly loading = new Map<string, Promise<V | null>>();
  /** Raised by every drop: a load that began under an older generation is not kept. */
  private generation = 0;

  constructor(
    private readonly load: (id: string) => Promise<V | null>,
    options: { ttlMs: number; max: number },
  ) {
    this.values = new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs });
  }

  get(id: string, load?: (id: string) => Promise<V | null>): Promise<V | null> {
    const cached = this.values.get(id);
    if (cached) return Promise.resolve(cached);
    if (load) return this.kept(id, load(id));
    const inFlight = this.loading.get(id);
    if (inFlight) return inFlight;
    const loaded = this.kept(id, this.load(id)).then(
      (value) => {
        if (this.loading.get(id) === loaded) this.loading.delete(id);
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(id) === loaded) this.loading.delete(id);
        throw err;
      },
    );
    this.loading.set(id, loaded);
    return loaded;
  }

  /** `value` once loaded, kept unless an entry was dropped meanwhile (it may be older than the drop). */
  private async kept(id: string, value: Promise<V | null>): Promise<V | null> {
    const generation = this.generation;
    const loaded = await value;
    if (loaded && generation === this.generation) this.values.set(id, loaded);
    return loaded;
  }

  delete(id: string): void {
    this.generation += 1;
    this.values.delete(id);
    this.loading.delete(id);
  }

  clear(): void {
    this.generation += 1;
    this.values.clear();
    this.loading.clear();
  }
}

/**
 * Caches for hot reads (who is calling, which agent a task is for) that stay correct across processes:
 * the process that changes a row drops it locally at once and announces it on a Redis channel, which
 * every process listens to. Entries also expire after `ttlMs`, which bounds staleness should an
 * announcement be lost (Redis down).
 */
@Injectable()
export class SharedCaches implements OnModuleDestroy {
  private readonly logger = new Logger(SharedCaches.name);
  private readonly channel: string;
  private readonly caches = new Map<string, Pick<LoadingCache<object>, 'delete' | 'clear'>>();
  private readonly dropListeners = new Map<string, Set<(id: string | undefined) => void>>();
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:cache-invalidations`;
  }

  create<V extends object>(
    name: string,
    load: (id: string) => Promise<V | null>,
    options: { ttlMs: number; max: number },
  ): SharedCache<V> {
    const cache = new LoadingCache<V>(load, options);
    const listeners = new Set<(id: string | undefined) => void>();
    this.caches.set(name, cache);
    this.dropListeners.set(name, listeners);
    this.listen();
    return {
      get: (id, load) => cache.get(id, load),
      onDrop: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      invalidate: async (id) => {
        this.drop(name, id);
        await this.redis
          .publish(this.channel, JSON.stringify({ name, id }))
          .catch((err: Error) => this.logger.warn(`could not announce a cache invalidation: ${err.message}`));
      },
    };
  }

  private listen(): void {
    if (this.subscriber) return;
    this.subscriber = this.connections.create('subscriber');
    void this.subscriber.subscribe(this.channel).catch(() => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        const { name, id } = JSON.parse(message) as { name: string; id: string };
        this.drop(name, id);
      } catch {
        this.logger.warn('ignored a malformed cache invalidation');
      }
    });
    // Announcements missed while disconnected cannot be replayed: start over.
    this.subscriber.on('ready', () => {
      for (const name of this.caches.keys()) this.drop(name, undefined);
    });
  }

  /** Drops one entry of a cache (all of them when `id` is undefined) and tells its listeners. */
  private drop(name: string, id: string | undefined): void {
    const cache = this.caches.get(name);
    if (!cache) return;
    if (id === undefined) cache.clear();
    else cache.delete(id);
    for (const listener of this.dropListeners.get(name) ?? []) listener(id);
  }

  onModuleDestroy(): void {
    for (const cache of this.caches.values()) cache.clear();
  }
}
