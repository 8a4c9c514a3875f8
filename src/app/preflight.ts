import Redis, { Cluster } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { secretsKeyOf } from '../common/crypto/secrets-cipher';
import { secretsKeyProblem } from '../common/crypto/secrets-key-check';
import { redisPrefixProblem } from '../redis/redis-prefix-check';
import {
  applyMigrations,
  ensureDatabase,
  type MigrationState,
  migrationState,
  withDataSource,
} from '../database/prepare-database';

/** A dependency the process cannot start without, with a message an operator can act on. */
export class PreflightError extends Error {}

function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
}

/** A host name that does not resolve: a mistyped name, not a server to start. */
const UNKNOWN_HOST_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * Failures to reach a server at all (nothing answered), a host name that does not resolve among them; which
 * advice they get is {@link unreachableAdvice}'s to choose.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  ...UNKNOWN_HOST_CODES,
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

function isUnknownHost(err: unknown): boolean {
  return UNKNOWN_HOST_CODES.has((err as { code?: string }).code ?? '');
}

/** How to start PostgreSQL on this machine. */
const START_POSTGRES = '"pg_ctlcluster <version> main start" or "docker compose -f docker/compose.yaml up -d postgres"';

/** How to start the Redis REDIS_URL names on this machine: on its port, when that is not Redis's own (6379). */
export function redisStartHint(config: AppConfig): string {
  const port = config.redis.cluster ? '' : new URL(config.redis.url).port;
  const onPort = port && port !== '6379' ? ` --port ${port}` : '';
  return `"redis-server --daemonize yes --bind 127.0.0.1${onPort}" or "docker compose -f docker/compose.yaml up -d redis"`;
}

/** What to do about a server that could not be reached: check a host name that does not resolve, else start it. */
function unreachableAdvice(err: unknown, setting: string, startIt: string): string {
  return isUnknownHost(err)
    ? `The host name does not resolve: check the host in ${setting}, or your DNS.`
    : `Start it with ${startIt}.`;
}

function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  return /timeout|timed out|Connection terminated|Connection is closed/i.test(e.message ?? '');
}

/** What the server or the socket said; a Postgres answer keeps its SQLSTATE in brackets. */
function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const text = (e.message || e.code || String(err)).replace(/\.+$/, '');
  return e.code && /^[0-9A-Z]{5}$/.test(e.code) && !text.includes(e.code) ? `${text} (${e.code})` : text;
}

/** What went wrong reaching or preparing the database, naming DATABASE_URL and what to check. */
export function postgresProblem(config: AppConfig, err: unknown): string {
  const url = new URL(config.database.url);
  const at = `PostgreSQL at ${where(config.database.url)} (DATABASE_URL)`;
  const user = decodeURIComponent(url.username) || 'the default user';
  const code = String((err as { code?: unknown }).code ?? '');
  if (isConnectionFailure(err)) {
    return (
      `PostgreSQL is not reachable at ${where(config.database.url)} (DATABASE_URL): ${reason(err)}. ` +
      unreachableAdvice(err, 'DATABASE_URL', START_POSTGRES)
    );
  }
  if (code.startsWith('28')) {
    return `${at} refused the login of user "${user}": ${reason(err)}. Check the user and password in DATABASE_URL.`;
  }
  if (code === '3D000' || code === '42501') {
    // The database is created when missing, from the "postgres" database, which takes both to be allowed.
    return (
      `${at} did not let user "${user}" prepare database "${config.database.name}": ${reason(err)}. ` +
      `The user needs to connect to the "postgres" database and to create databases (CREATEDB), ` +
      `or the database must exist; check DATABASE_URL.`
    );
  }
  return `${at} refused to start: ${reason(err)}. Check DATABASE_URL and the server's log.`;
}

function redisProblem(config: AppConfig, failure: unknown): string {
  const at = whereRedis(config);
  // A cluster says "Failed to refresh slots cache" and keeps what its last node said.
  const err = (failure as { lastNodeError?: unknown }).lastNodeError ?? failure;
  if (/^(NOAUTH|WRONGPASS|NOPERM)\b/.test((err as { message?: string }).message ?? '')) {
    return `Redis at ${at} refused the login: ${reason(err)}. Check the user and password in REDIS_URL.`;
  }
  if (isConnectionFailure(err)) {
    return (
      `Redis is not reachable at ${at}: ${reason(err)}. ` +
      unreachableAdvice(err, config.redis.cluster ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL', redisStartHint(config))
    );
  }
  if (/DB index is out of range/i.test((err as { message?: string }).message ?? '')) {
    return (
      `Redis at ${at} has no database ${new URL(config.redis.url).pathname.slice(1)}: ${reason(err)}. ` +
      `Use a database number below the server's "databases" setting (16 by default) in REDIS_URL.`
    );
  }
  return `Redis at ${at} answered with an error: ${reason(err)}. Check REDIS_URL and the server's log.`;
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
  // The first error says why (a refused login, a refused connection); the rejection then only says "closed".
  let first: unknown;
  redis.on('error', (err: unknown) => (first ??= err));
  try {
    await redis.connect();
    // A database number the server does not have fails the connection's SELECT with no more than an error
    // event, and the connection goes on in database 0: asked again here, so that it stops the start.
    const { db } = (redis as Redis).options ?? {};
    if (!config.redis.cluster && db) await (redis as Redis).select(db);
    await redis.ping();
    // Queues need every key Redis holds; eviction would silently drop jobs.
    const policy = await redis.config('GET', 'maxmemory-policy').catch(() => undefined);
    const value = Array.isArray(policy) ? String(policy[1]) : undefined;
    if (value && value !== 'noeviction') {
      warn(`Redis maxmemory-policy is "${value}": set it to "noeviction" so queued jobs are never evicted`);
    }
  } catch (err) {
    throw new PreflightError(redisProblem(config, first ?? err));
  } finally {
    redis.disconnect();
  }
}

/**
 * Before the app is built: Postgres and Redis answer, the database exists, its schema is one this build knows
 * ({@link schemaProblem}), unless DB_MIGRATIONS_RUN=false migrations are applied, SECRETS_KEY is the key
 * the database's secrets were sealed with, and REDIS_PREFIX the one its other processes use. Returns what it did, for
 * the start-up log.
 */
export async function preflight(
  config: AppConfig,
  warn: (message: string) => void = () => undefined,
  /** False for a tool (the user CLI): the database must exist and be migrated already; nothing is created or applied. */
  prepareSchema = true,
): Promise<{ createdDatabase: boolean; migrations: string[] }> {
  let createdDatabase: boolean;
  try {
    createdDatabase = await ensureDatabase(config, prepareSchema);
  } catch (err) {
    throw new PreflightError(postgresProblem(config, err));
  }
  if (!prepareSchema && createdDatabase) {
    throw new PreflightError(
      `The database "${config.database.name}" (DATABASE_URL) does not exist: check DATABASE_URL, or start the ` +
        'platform once (npm start), which creates it.',
    );
  }
  await checkRedis(config, warn);
  // One pool of two connections for the schema's checks and migrations (one holds the migrations' lock).
  const migrations = await withDataSource(config, 2, async (dataSource) => {
    // Before anything is applied: a build must not migrate a database a newer one migrated.
    const state = await migrationState(dataSource);
    const problem = schemaProblem(config, state);
    if (problem) throw new PreflightError(problem);
    if (!prepareSchema && state.pending.length) {
      throw new PreflightError(
        `The database "${config.database.name}" (DATABASE_URL) lacks ${state.pending.length} migration(s) this ` +
          'build needs: run "npm run migration:run" first (or start the platform, which applies them).',
      );
    }
    const applied = prepareSchema && config.database.migrationsRun ? await applyMigrations(dataSource) : [];
    const wrongKey = await secretsKeyProblem(
      (sql, parameters) => dataSource.query(sql, parameters),
      secretsKeyOf(config),
      !config.secretsKey,
    );
    if (wrongKey) throw new PreflightError(wrongKey);
    const wrongPrefix = await redisPrefixProblem(
      (sql, parameters) => dataSource.query(sql, parameters),
      config.redis.prefix,
    );
    if (wrongPrefix) throw new PreflightError(wrongPrefix);
    return applied;
  });
  return { createdDatabase, migrations };
}

/**
 * Why this build must not run on the database's schema: a newer build migrated it (this one would read and
 * write tables it does not know the shape of), or migrations it needs are not applied and it may not apply them.
 */
export function schemaProblem(config: AppConfig, { pending, unknown }: MigrationState): string | undefined {
  const db = `The database "${config.database.name}" (DATABASE_URL)`;
  const some = (names: string[]): string =>
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  if (unknown.length) {
    return (
      `${db} has ${unknown.length} migration(s) applied that this build does not know (${some(unknown)}): a newer ` +
      `build migrated it. Start that build, or revert them with it ("npm run migration:revert" once for each) first.`
    );
  }
  if (pending.length && !config.database.migrationsRun) {
    return (
      `${db} lacks ${pending.length} migration(s) this build needs (${some(pending)}) and DB_MIGRATIONS_RUN=false: ` +
      `run "npm run migration:run" first, or start one process with DB_MIGRATIONS_RUN=true.`
    );
  }
  return undefined;
}
