import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import bytes from 'bytes';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { PerUserLimit } from '../common/per-user-limit';
import { InvalidConfigError } from './config.errors';
import { ttlSeconds } from './env-parsers';
import { EnvSchema } from './env.schema';
import { invalidSetting, looksLikePlaceholder, parseUrl } from './setting-values';
import { parseTrustProxy } from './trust-proxy';
import { redisClusterOf, type RedisClusterConfig } from './redis-cluster';

export type AppRole = EnvSchema['APP_ROLE'];

/** The read replica (see docs/scaling.md): `url` undefined when every read goes to the primary. */
export interface ReadDatabaseConfig {
  url?: string;
  /** Replica lag above which its reads go to the primary instead. */
  maxLagMs: number;
  /** How long after a caller's own write its reads (in this process) still go to the primary. */
  readYourWritesMs: number;
  /** How often the replica's lag is measured. */
  checkMs: number;
}

export interface AppConfig {
  env: EnvSchema['NODE_ENV'];
  isProduction: boolean;
  role: AppRole;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** `POST /tasks`. */
    taskBodyLimitBytes: number;
    /** `POST /tasks/batch`. */
    taskBatchBodyLimitBytes: number;
    requestTimeoutMs: number;
    corsOrigins: string[];
    trustProxy: boolean | number | string;
  };
  /** `retryMs`: how long a worker retries a write other than a task's outcome while Postgres is unreachable. */
  database: {
    url: string;
    name: string;
    poolMax: number;
    migrationsRun: boolean;
    retryMs: number;
    read: ReadDatabaseConfig;
  };
  /** `cluster` when REDIS_CLUSTER_NODES or a `redis+cluster://` REDIS_URL selects a Redis Cluster. */
  redis: { url: string; prefix: string; cluster?: RedisClusterConfig };
  auth: {
    jwtSecret: string;
    jwtSecretGenerated: boolean;
    /** JWT_SECRET_PREVIOUS: verifies the access tokens signed before a rotation, until they expire. */
    jwtPreviousSecret?: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    issuer: string;
    audience: string;
    registration: 'open' | 'closed';
    adminEmail: string;
    adminPassword?: string;
  };
  secretsKey?: Buffer;
  /** Per client and minute: HTTP requests, logins, frontend metrics, and live connections and messages. */
  rateLimits: { perMinute: number; loginPerMinute: number; frontendMetricsPerMinute: number; livePerMinute: number };
  worker: { concurrency: number };
  queue: { keepCompleted: number; keepFailed: number; lockDurationMs: number; reconcileIntervalMs: number };
  /** SCHEDULES_PER_USER: `perUser` 0 is no limit. */
  schedules: { syncIntervalMs: number; perUser: number };
  /** How many of each one user may have (AGENTS_PER_USER…): a creation past it gets 409. */
  perUser: Record<'agents' | 'workflows' | 'webhooks' | 'hooks', PerUserLimit>;
  bulk: { batchSize: number };
  /** Uploaded files: an absolute directory, the largest upload, and how long one may take. */
  files: { dir: string; maxBytes: number; quotaBytes: number; uploadTimeoutMs: number };
  /** TASK_RETENTION_*: `days` 0 keeps every task. */
  taskRetention: { days: number; batchSize: number; intervalMs: number; pauseMs: number; pauseFactor: number };
  webhooks: {
    maxAttempts: number;
    backoffMs: number;
    timeoutMs: number;
    disableAfterFailures: number;
    disableAfterMs: number;
    reconcileIntervalMs: number;
  };
  agents: {
    allowPrivateNetworks: boolean;
    breakerThreshold: number;
    breakerResetMs: number;
    /** The most records a data-processor `sort` holds in memory (a sort followed by a limit holds the limit). */
    sortMaxRecords: number;
  };
  workflows: {
    templates: {
      timeoutMs: number;
      maxOutputBytes: number;
      maxDepth: number;
      maxSequence: number;
      heapMb: number;
      threads: number;
    };
    triggers: { reconcileIntervalMs: number; reconcileWindowMs: number };
  };
  metrics: { token?: string; webVitalsRetentionDays: number; port: number };
  audit: {
    retentionDays: number;
    archiveDir: string;
    /** AUDIT_CHECKPOINT_KEY when set (see audit-checkpoint.ts for the fallback). */
    checkpointKey?: Buffer;
    /** AUDIT_CHECKPOINT_KEYS_PREVIOUS: keys that signed earlier checkpoints, for verifying them only. */
    previousCheckpointKeys: Buffer[];
    retentionIntervalMs: number;
    archiveFileEntries: number;
    deleteBatch: number;
  };
  log: { level: EnvSchema['LOG_LEVEL'] };
  shutdownTimeoutMs: number;
  /**
   * Live events: how much a slow client may hold up before it is let go; an agent's events' batch window; how
   * many live connections one user may hold open on one process.
   */
  events: { clientMaxPendingBytes: number; batchMs: number; connectionsPerUser: number };
}

/** A 32-byte key given as 64 hex characters or as base64. */
const keyBytes = (text: string): Buffer => Buffer.from(text, text.length === 64 ? 'hex' : 'base64');

/**
 * Reads and validates the environment once. Throws {@link InvalidConfigError} naming the first bad setting.
 * `warn` receives notices that do not stop the process (a generated development secret).
 */
export function loadConfig(env: NodeJS.ProcessEnv, warn: (message: string) => void = () => undefined): AppConfig {
  const raw = Object.fromEntries(
    Object.keys(new EnvSchema())
      .concat(['JWT_SECRET', 'SECRETS_KEY', 'ADMIN_PASSWORD', 'METRICS_TOKEN', 'AUDIT_CHECKPOINT_KEY'])
      .concat(['AUDIT_CHECKPOINT_KEYS_PREVIOUS', 'JWT_SECRET_PREVIOUS'])
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw invalidSetting(errors[0], raw);

  // Empty means unset elsewhere; an empty prefix would silently share the default one's keys and queues.
  if (env.REDIS_PREFIX === '')
    throw new InvalidConfigError(
      'REDIS_PREFIX',
      'is empty: set 1-64 characters of letters, digits, _ . : - (or unset it)',
    );
  const databaseUrl = parseUrl('DATABASE_URL', parsed.DATABASE_URL);
  if (parsed.DATABASE_READ_URL) parseUrl('DATABASE_READ_URL', parsed.DATABASE_READ_URL);
  // A redis+cluster:// URL may list several nodes, which no URL parser takes: redisClusterOf reads it.
  if (!/^rediss?\+cluster:/.test(parsed.REDIS_URL)) parseUrl('REDIS_URL', parsed.REDIS_URL);
  const isProduction = parsed.NODE_ENV === 'production';
  let jwtSecret = parsed.JWT_SECRET;
  let jwtSecretGenerated = false;
  if (jwtSecret === undefined) {
    if (isProduction) throw new InvalidConfigError('JWT_SECRET', 'is required in production');
    jwtSecret = randomBytes(48).toString('base64url');
    jwtSecretGenerated = true;
    warn(
      'JWT_SECRET is not set: a random secret was generated for this process; its tokens will not survive a restart nor pass to other processes',
    );
  } else if (isProduction) {
    if (jwtSecret.length < 32)
      throw new InvalidConfigError('JWT_SECRET', 'must be at least 32 characters in production');
    if (looksLikePlaceholder(jwtSecret)) {
      throw new InvalidConfigError(
        'JWT_SECRET',
        'looks like a placeholder; use a random value (openssl rand -base64 48)',
      );
    }
  }

  const corsOrigins = parsed.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (isProduction && corsOrigins.includes('*')) {
    throw new InvalidConfigError('CORS_ORIGINS', 'must list origins explicitly in production ("*" is refused)');
  }
  const badOrigin = corsOrigins.find((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o));
  if (badOrigin) throw new InvalidConfigError('CORS_ORIGINS', `has an entry that is not an origin: "${badOrigin}"`);

  if (isProduction && !parsed.SECRETS_KEY) {
    throw new InvalidConfigError('SECRETS_KEY', 'is required in production (32 bytes, hex or base64)');
  }
  if (parsed.AUDIT_RETENTION_DAYS > 0 && !parsed.AUDIT_CHECKPOINT_KEY && !parsed.SECRETS_KEY)
    throw new InvalidConfigError(
      'AUDIT_RETENTION_DAYS',
      'needs AUDIT_CHECKPOINT_KEY or SECRETS_KEY to sign checkpoints',
    );
  // The thread that renders a step's input writes it as one string, which must fit well inside its heap.
  const templateHeapBytes = parsed.WORKFLOW_TEMPLATE_HEAP_MB * 1024 * 1024;
  if (parsed.WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES > templateHeapBytes / 8)
    throw new InvalidConfigError(
      'WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES',
      `must be at most an eighth of WORKFLOW_TEMPLATE_HEAP_MB (${templateHeapBytes / 8} bytes)`,
    );
  const secretsKey = parsed.SECRETS_KEY
    ? Buffer.from(parsed.SECRETS_KEY, parsed.SECRETS_KEY.length === 64 ? 'hex' : 'base64')
    : undefined;
  if (isProduction && !parsed.ADMIN_PASSWORD) {
    // Production never prints a generated password; an existing admin makes this irrelevant at runtime.
    warn('ADMIN_PASSWORD is not set: no admin is bootstrapped in production when none exists');
  }

  return {
    env: parsed.NODE_ENV,
    isProduction,
    role: parsed.APP_ROLE,
    http: {
      host: parsed.HOST,
      port: parsed.PORT,
      bodyLimitBytes: bytes.parse(parsed.BODY_LIMIT) ?? 1024 * 1024,
      taskBodyLimitBytes: bytes.parse(parsed.TASK_BODY_LIMIT) ?? 512 * 1024,
      taskBatchBodyLimitBytes: bytes.parse(parsed.TASK_BATCH_BODY_LIMIT) ?? 1024 * 1024,
      requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
      corsOrigins,
      trustProxy: parseTrustProxy(parsed.TRUST_PROXY),
    },
    database: {
      url: parsed.DATABASE_URL,
      name: decodeURIComponent(databaseUrl.pathname.replace(/^\//, '')),
      poolMax: parsed.DB_POOL_MAX,
      migrationsRun: parsed.DB_MIGRATIONS_RUN,
      retryMs: parsed.DB_RETRY_MS,
      read: {
        url: parsed.DATABASE_READ_URL || undefined,
        maxLagMs: parsed.DATABASE_READ_MAX_LAG_MS,
        readYourWritesMs: parsed.DATABASE_READ_YOUR_WRITES_MS,
        checkMs: parsed.DATABASE_READ_CHECK_MS,
      },
    },
    redis: {
      url: parsed.REDIS_URL,
      prefix: parsed.REDIS_PREFIX,
      cluster: redisClusterOf(parsed.REDIS_URL, parsed.REDIS_CLUSTER_NODES),
    },
    auth: {
      jwtSecret,
      jwtSecretGenerated,
      jwtPreviousSecret: parsed.JWT_SECRET_PREVIOUS,
      accessTtlSeconds: ttlSeconds('JWT_ACCESS_TTL', parsed.JWT_ACCESS_TTL, 30),
      refreshTtlSeconds: ttlSeconds('JWT_REFRESH_TTL', parsed.JWT_REFRESH_TTL, 3650),
      issuer: parsed.JWT_ISSUER,
      audience: parsed.JWT_AUDIENCE,
      registration: parsed.AUTH_REGISTRATION ?? (parsed.NODE_ENV === 'production' ? 'closed' : 'open'),
      adminEmail: parsed.ADMIN_EMAIL.toLowerCase(),
      adminPassword: parsed.ADMIN_PASSWORD,
    },
    secretsKey,
    rateLimits: {
      perMinute: parsed.RATE_LIMIT_PER_MIN,
      loginPerMinute: parsed.RATE_LIMIT_LOGIN_PER_MIN,
      frontendMetricsPerMinute: parsed.RATE_LIMIT_FRONTEND_METRICS_PER_MIN,
      livePerMinute: parsed.RATE_LIMIT_LIVE_PER_MIN,
    },
    worker: { concurrency: parsed.WORKER_CONCURRENCY },
    queue: {
      keepCompleted: parsed.QUEUE_KEEP_COMPLETED,
      keepFailed: parsed.QUEUE_KEEP_FAILED,
      lockDurationMs: parsed.QUEUE_LOCK_DURATION_MS,
      reconcileIntervalMs: parsed.QUEUE_RECONCILE_INTERVAL_MS,
    },
    schedules: { syncIntervalMs: parsed.SCHEDULE_SYNC_INTERVAL_MS, perUser: parsed.SCHEDULES_PER_USER },
    perUser: {
      agents: { max: parsed.AGENTS_PER_USER, setting: 'AGENTS_PER_USER', noun: 'agents' },
      workflows: { max: parsed.WORKFLOWS_PER_USER, setting: 'WORKFLOWS_PER_USER', noun: 'workflows' },
      webhooks: { max: parsed.WEBHOOKS_PER_USER, setting: 'WEBHOOKS_PER_USER', noun: 'webhook endpoints' },
      hooks: { max: parsed.HOOKS_PER_USER, setting: 'HOOKS_PER_USER', noun: 'inbound hooks' },
    },
    bulk: { batchSize: parsed.BULK_BATCH_SIZE },
    files: {
      dir: resolve(parsed.FILES_DIR),
      maxBytes: bytes.parse(parsed.FILE_MAX_BYTES) ?? 1024 ** 3,
      quotaBytes: bytes.parse(parsed.FILE_QUOTA_BYTES) ?? 0,
      uploadTimeoutMs: parsed.FILE_UPLOAD_TIMEOUT_MS,
    },
    taskRetention: {
      days: parsed.TASK_RETENTION_DAYS,
      batchSize: parsed.TASK_RETENTION_BATCH_SIZE,
      intervalMs: parsed.TASK_RETENTION_INTERVAL_MS,
      pauseMs: parsed.TASK_RETENTION_PAUSE_MS,
      pauseFactor: parsed.TASK_RETENTION_PAUSE_FACTOR,
    },
    webhooks: {
      maxAttempts: parsed.WEBHOOK_MAX_ATTEMPTS,
      backoffMs: parsed.WEBHOOK_BACKOFF_MS,
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
      disableAfterFailures: parsed.WEBHOOK_DISABLE_AFTER_FAILURES,
      disableAfterMs: parsed.WEBHOOK_DISABLE_AFTER_MS,
      reconcileIntervalMs: parsed.WEBHOOK_RECONCILE_INTERVAL_MS,
    },
    agents: {
      allowPrivateNetworks: parsed.AGENT_ALLOW_PRIVATE_NETWORKS,
      breakerThreshold: parsed.AGENT_BREAKER_THRESHOLD,
      breakerResetMs: parsed.AGENT_BREAKER_RESET_MS,
      sortMaxRecords: parsed.DATA_PROCESSOR_SORT_MAX_RECORDS,
    },
    workflows: {
      templates: {
        timeoutMs: parsed.WORKFLOW_TEMPLATE_TIMEOUT_MS,
        maxOutputBytes: parsed.WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES,
        maxDepth: parsed.WORKFLOW_TEMPLATE_MAX_DEPTH,
        maxSequence: parsed.WORKFLOW_TEMPLATE_MAX_SEQUENCE,
        heapMb: parsed.WORKFLOW_TEMPLATE_HEAP_MB,
        threads: parsed.WORKFLOW_TEMPLATE_THREADS,
      },
      triggers: {
        reconcileIntervalMs: parsed.TRIGGER_RECONCILE_INTERVAL_MS,
        reconcileWindowMs: parsed.TRIGGER_RECONCILE_WINDOW_MS,
      },
    },
    metrics: {
      token: parsed.METRICS_TOKEN,
      webVitalsRetentionDays: parsed.WEB_VITALS_RETENTION_DAYS,
      port: parsed.METRICS_PORT,
    },
    audit: {
      retentionDays: parsed.AUDIT_RETENTION_DAYS,
      archiveDir: parsed.AUDIT_ARCHIVE_DIR,
      checkpointKey: parsed.AUDIT_CHECKPOINT_KEY ? keyBytes(parsed.AUDIT_CHECKPOINT_KEY) : undefined,
      previousCheckpointKeys: parsed.AUDIT_CHECKPOINT_KEYS_PREVIOUS?.split(',').map(keyBytes) ?? [],
      retentionIntervalMs: parsed.AUDIT_RETENTION_INTERVAL_MS,
      archiveFileEntries: parsed.AUDIT_ARCHIVE_FILE_ENTRIES,
      deleteBatch: parsed.AUDIT_DELETE_BATCH,
    },
    log: { level: parsed.LOG_LEVEL },
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    events: {
      clientMaxPendingBytes: bytes.parse(parsed.EVENTS_CLIENT_MAX_PENDING) ?? 1024 * 1024,
      batchMs: parsed.EVENTS_BATCH_MS,
      connectionsPerUser: parsed.LIVE_CONNECTIONS_PER_USER,
    },
  };
}
