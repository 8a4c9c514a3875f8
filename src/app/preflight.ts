import Redis, { Cluster } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { ensureDatabase, runMigrations } from '../database/prepare-database';

/** A dependency the process cannot start without, with a message an operator can act on. */
export class PreflightError extends Error {}

function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
}

function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return (e.code ?? e.message ?? String(err)).replace(/\.+$/, '');
}

/** One attempt, no retries: Redis, or the cluster REDIS_CLUSTER_NODES / a `redis+cluster://` URL names. */
function probeRedis(config: AppConfig): Redis | Cluster {
  const { cluster } = config.redis;
  if (!cluster) {
    return new Redis(config.redis.url, {
      lazyConnect: true,
      connectTimeout: 3000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
  }
  return new Cluster(cluster.nodes, {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    redisOptions: {
      connectTimeout: 3000,
      maxRetriesPerRequest: 0,
      username: cluster.username,
      password: cluster.password,
      tls: cluster.tls ? {} : undefined,
    },
  });
}

function whereRedis(config: AppConfig): string {
  const { cluster } = config.redis;
  if (!cluster) return `${where(config.redis.url)} (REDIS_URL)`;
  return `${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',')} (cluster)`;
}

async function checkRedis(config: AppConfig, warn: (message: string) => void): Promise<void> {
  const redis = probeRedis(config);
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    // Queues need every key Redis holds; eviction would silently drop jobs.
    const policy = await redis.config('GET', 'maxmemory-policy').catch(() => undefined);
    const value = Array.isArray(policy) ? String(policy[1]) : undefined;
    if (value && value !== 'noeviction') {
      warn(`Redis maxmemory-policy is "${value}": set it to "noeviction" so queued jobs are never evicted`);
    }
  } catch (err) {
    throw new PreflightError(
      `Redis is not reachable at ${whereRedis(config)}: ${reason(err)}. ` +
        `Start it with "redis-server --daemonize yes --bind 127.0.0.1" or "docker compose -f docker/compose.yaml up -d redis".`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * Before the app is built: Postgres and Redis answer, the database exists and, unless
 * DB_MIGRATIONS_RUN=false, migrations are applied. Returns what it did, for the start-up log.
 */
export async function preflight(
  config: AppConfig,
  warn: (message: string) => void = () => undefined,
): Promise<{ createdDatabase: boolean; migrations: string[] }> {
  let createdDatabase: boolean;
  try {
    createdDatabase = await ensureDatabase(config);
  } catch (err) {
    throw new PreflightError(
      `PostgreSQL is not reachable at ${where(config.database.url)} (DATABASE_URL): ${reason(err)}. ` +
        `Start it with "pg_ctlcluster <version> main start" or "docker compose -f docker/compose.yaml up -d postgres".`,
    );
  }
  await checkRedis(config, warn);
  const migrations = config.database.migrationsRun ? await runMigrations(config) : [];
  return { createdDatabase, migrations };
}
