import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RepeatedWarnings } from '../common/repeated-warnings';

export type RedisPurpose = 'commands' | 'queue' | 'subscriber' | 'publisher' | 'throttler';

/** How long shutdown waits for a connection's QUIT before it closes the socket anyway. */
const QUIT_WAIT_MS = 2000;

/**
 * How long a command of the rate limiter, which every API request meets first, may wait for its answer. The
 * rate limiter's connection keeps no offline queue either: with Redis away a request answers 503 at once (or
 * after this, when Redis hangs without closing the connection) instead of waiting for ioredis' reconnection
 * attempts, a few seconds apart, to give up on it.
 */
export const RATE_LIMIT_COMMAND_TIMEOUT_MS = 1000;

/**
 * How a cluster client rides out a failover: a master's replica takes over after `cluster-node-timeout` and an
 * election (a few seconds), so commands to its slots wait and retry that long instead of failing at once.
 */
const FAILOVER: ClusterOptions = {
  retryDelayOnFailover: 300,
  retryDelayOnClusterDown: 300,
  retryDelayOnTryAgain: 300,
  retryDelayOnMoved: 50,
  maxRedirections: 32,
  clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
};

/**
 * The one place Redis connections are made. Plain command connections prefix every key with
 * `REDIS_PREFIX:`; BullMQ refuses ioredis key prefixes, so queue connections get the prefix as BullMQ's
 * own `prefix` option instead (see {@link queuePrefix}). Every connection made here is closed on shutdown.
 *
 * With a Redis Cluster configured (REDIS_CLUSTER_NODES or a `redis+cluster://` REDIS_URL), each connection is
 * an ioredis `Cluster`. It is handed out typed as `Redis`: both offer the same commands and events, and what
 * differs on a cluster (keys a script or a transaction touches must share a slot; SCAN, KEYS and CLIENT LIST
 * answer for one node) is dealt with where keys are named (`slotTag`, {@link queuePrefix}); nothing here scans.
 */
@Injectable()
export class RedisConnectionFactory implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnectionFactory.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private readonly connections = new Set<Redis | Cluster>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get keyPrefix(): string {
    return `${this.config.redis.prefix}:`;
  }

  /**
   * BullMQ's `prefix`: queue keys live under `<REDIS_PREFIX>:bull:<queue>:…`. On a cluster the prefix is a hash
   * tag, `{<REDIS_PREFIX>:bull}`, because BullMQ's scripts touch several keys of a queue (and of its jobs) at
   * once, and those must share one slot.
   */
  get queuePrefix(): string {
    const prefix = `${this.config.redis.prefix}:bull`;
    return this.config.redis.cluster ? `{${prefix}}` : prefix;
  }

  create(purpose: RedisPurpose, overrides: RedisOptions = {}): Redis {
    const queue = purpose === 'queue';
    // Pub/sub names channels, not keys: those connections carry no key prefix (channels are named in full).
    const pubsub = purpose === 'subscriber' || purpose === 'publisher';
    const failFast = purpose === 'throttler';
    const options: RedisOptions = {
      connectionName: `ymera-${this.config.role}-${purpose}`,
      keyPrefix: queue || pubsub ? undefined : this.keyPrefix,
      // BullMQ workers block on Redis and must retry forever; API calls should fail fast instead.
      maxRetriesPerRequest: queue || pubsub ? null : 3,
      // Commands wait for a reconnection, except the rate limiter's once it was first ready (below).
      enableOfflineQueue: true,
      ...(failFast ? { commandTimeout: RATE_LIMIT_COMMAND_TIMEOUT_MS, autoResendUnfulfilledCommands: false } : {}),
      // Commands issued in the same tick leave in one write. Not for BullMQ's blocking connections.
      enableAutoPipelining: purpose === 'commands' || purpose === 'publisher' || purpose === 'throttler',
      lazyConnect: false,
      ...overrides,
    };
    const connection = this.config.redis.cluster
      ? this.clusterConnection(options)
      : new Redis(this.config.redis.url, options);
    connection.on('error', (err: Error) => this.warnings.warn(`Redis (${purpose}): ${err.message}`));
    // The rate limiter's first counts, sent while it still connects at start, wait for it (up to the command
    // timeout); from its first `ready` on, a count Redis cannot take now is refused at once, not sent later.
    if (failFast) connection.once('ready', () => (connection.options.enableOfflineQueue = false));
    this.connections.add(connection);
    connection.once('end', () => this.connections.delete(connection));
    // The same commands and events (see the class comment).
    return connection as Redis;
  }

  private clusterConnection(options: RedisOptions): Cluster {
    const cluster = this.config.redis.cluster!;
    const { keyPrefix, enableOfflineQueue, enableAutoPipelining, lazyConnect, ...perNode } = options;
    return new Cluster(cluster.nodes, {
      ...FAILOVER,
      keyPrefix,
      enableOfflineQueue,
      enableAutoPipelining,
      lazyConnect,
      // Ready once CLUSTER INFO says every slot is served; every command goes to the master of its slot.
      enableReadyCheck: true,
      scaleReads: 'master',
      redisOptions: {
        ...perNode,
        username: cluster.username,
        password: cluster.password,
        tls: cluster.tls ? {} : undefined,
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.connections].map(async (c) => {
        if (c.status !== 'ready') return c.disconnect();
        // A cluster's QUIT goes to every node it knows, and one that died may never answer: not waited for long.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_WAIT_MS)));
        await Promise.race([c.quit().catch(() => undefined), late]);
        clearTimeout(timer);
        c.disconnect();
      }),
    );
    this.connections.clear();
  }
}
