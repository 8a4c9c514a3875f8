import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export type RedisPurpose = 'commands' | 'queue' | 'subscriber' | 'publisher' | 'throttler';

/**
 * The one place Redis connections are made. Plain command connections prefix every key with
 * `REDIS_PREFIX:`; BullMQ refuses ioredis key prefixes, so queue connections get the prefix as BullMQ's
 * own `prefix` option instead (see {@link queuePrefix}). Every connection made here is closed on shutdown.
 */
@Injectable()
export class RedisConnectionFactory implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnectionFactory.name);
  private readonly connections = new Set<Redis>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get keyPrefix(): string {
    return `${this.config.redis.prefix}:`;
  }

  /** BullMQ's `prefix`: queue keys live under `<REDIS_PREFIX>:bull:<queue>:…`. */
  get queuePrefix(): string {
    return `${this.config.redis.prefix}:bull`;
  }

  create(purpose: RedisPurpose, overrides: RedisOptions = {}): Redis {
    const queue = purpose === 'queue';
    // Pub/sub names channels, not keys: those connections carry no key prefix (channels are named in full).
    const pubsub = purpose === 'subscriber' || purpose === 'publisher';
    const connection = new Redis(this.config.redis.url, {
      connectionName: `ymera-${this.config.role}-${purpose}`,
      keyPrefix: queue || pubsub ? undefined : this.keyPrefix,
      // BullMQ workers block on Redis and must retry forever; API calls should fail fast instead.
      maxRetriesPerRequest: queue || pubsub ? null : 3,
      enableOfflineQueue: true,
      // Commands issued in the same tick leave in one write. Not for BullMQ's blocking connections.
      enableAutoPipelining: purpose === 'commands' || purpose === 'publisher' || purpose === 'throttler',
      lazyConnect: false,
      ...overrides,
    });
    connection.on('error', (err: Error) => this.logger.warn(`Redis (${purpose}): ${err.message}`));
    this.connections.add(connection);
    connection.once('end', () => this.connections.delete(connection));
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.connections].map(async (c) => {
        if (c.status !== 'ready') return c.disconnect();
        await c.quit().catch(() => c.disconnect());
      }),
    );
    this.connections.clear();
  }
}
