import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { IsAccountEmail } from '../common/http/dto-decorators';
import { toBool, toInt } from './env-parsers';
import { ByteLimit, EscapesDecode, REFUSES_BODIES } from './setting-rules';
import { BackgroundWorkSettings } from './background-work-settings';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const APP_ROLES = ['api', 'worker', 'all'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A duration such as `15m`, `30d`, `3600s` or `900` (seconds). */
const DURATION = /^\d+\s*(ms|s|m|h|d)?$/;

/**
 * Every setting the process reads from its environment, with its default.
 * `.env.example` documents each of them; nothing else in the code reads `process.env`.
 */
export class EnvSchema extends BackgroundWorkSettings {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsIn(APP_ROLES)
  APP_ROLE: (typeof APP_ROLES)[number] = 'all';

  @Matches(/^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'must be a postgres:// URL naming a database' })
  @EscapesDecode()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ymera';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_MAX = 20;

  @Transform(toBool)
  @IsBoolean()
  DB_MIGRATIONS_RUN = true;

  /** How long a worker retries a write, other than a task's outcome, while PostgreSQL is unreachable. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DB_RETRY_MS = 30_000;

  /** A streaming replica for list, stats and audit reads; empty: every read goes to DATABASE_URL. */
  @Matches(/^$|^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'must be empty or a postgres:// URL naming a database' })
  @EscapesDecode()
  DATABASE_READ_URL = '';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DATABASE_READ_MAX_LAG_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DATABASE_READ_YOUR_WRITES_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DATABASE_READ_CHECK_MS = 1000;

  @Matches(/^rediss?(\+cluster)?:\/\/.+/, { message: 'must be a redis://, rediss:// or redis+cluster:// URL' })
  @EscapesDecode()
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Seed nodes of a Redis Cluster (`host:port,host:port`); credentials and TLS come from REDIS_URL. */
  @IsOptional()
  @Matches(/^\s*[^\s,:]+:\d+\s*(,\s*[^\s,:]+:\d+\s*)*$/, { message: 'must be host:port pairs separated by commas' })
  REDIS_CLUSTER_NODES?: string;

  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 characters of letters, digits, _ . : -' })
  REDIS_PREFIX = 'ymera';

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  /** The secret JWT_SECRET replaced: tokens it signed are still taken until they expire; it signs nothing. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  JWT_SECRET_PREVIOUS?: string;

  @Matches(DURATION, { message: 'must be a duration such as 15m, 1h or 900' })
  JWT_ACCESS_TTL = '15m';

  @Matches(DURATION, { message: 'must be a duration such as 30d, 12h or 86400' })
  JWT_REFRESH_TTL = '30d';

  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'ymera';

  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'ymera-api';

  @IsOptional()
  @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes, as 64 hex characters or base64' })
  SECRETS_KEY?: string;

  @IsAccountEmail()
  ADMIN_EMAIL = 'admin@ymera.local';

  @IsOptional()
  @IsString()
  @MinLength(12)
  ADMIN_PASSWORD?: string;

  /** Unset: `closed` in production (an account is made by an admin), `open` elsewhere. */
  @IsOptional()
  @IsIn(['open', 'closed'])
  AUTH_REGISTRATION?: 'open' | 'closed';

  @IsString()
  CORS_ORIGINS = '';

  @IsString()
  TRUST_PROXY = 'false';

  @ByteLimit('10mb, 512kb or 1048576', REFUSES_BODIES)
  BODY_LIMIT = '1mb';

  @ByteLimit('1mb, 512kb or 1048576', REFUSES_BODIES)
  TASK_BODY_LIMIT = '512kb';

  @ByteLimit('2mb, 512kb or 2097152', REFUSES_BODIES)
  TASK_BATCH_BODY_LIMIT = '1mb';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MIN = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_MIN = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_FRONTEND_METRICS_PER_MIN = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LIVE_PER_MIN = 1000;

  /** Live connections (Socket.IO clients and event streams) one user may hold open on one API process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  LIVE_CONNECTIONS_PER_USER = 200;

  /** Schedules one user may have (a creation past it gets 409); 0: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SCHEDULES_PER_USER = 1000;

  /** Agents one user may have (deleted ones do not count); a creation past it gets 409; 0: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  AGENTS_PER_USER = 1000;

  /** Workflows one user may have (deleted ones do not count); 0: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  WORKFLOWS_PER_USER = 1000;

  /** Webhook endpoints one user may have; 0: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  WEBHOOKS_PER_USER = 100;

  /** Inbound hooks one user may have; 0: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  HOOKS_PER_USER = 100;

  @Transform(toBool)
  @IsBoolean()
  AGENT_ALLOW_PRIVATE_NETWORKS = false;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  AGENT_BREAKER_THRESHOLD = 5;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  AGENT_BREAKER_RESET_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(100_000_000)
  DATA_PROCESSOR_SORT_MAX_RECORDS = 1_000_000;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600_000)
  WORKFLOW_TEMPLATE_TIMEOUT_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES = 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(100_000)
  WORKFLOW_TEMPLATE_MAX_DEPTH = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  WORKFLOW_TEMPLATE_MAX_SEQUENCE = 1_000_000;

  @Transform(toInt)
  @IsInt()
  @Min(16)
  @Max(4096)
  WORKFLOW_TEMPLATE_HEAP_MB = 64;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  WORKFLOW_TEMPLATE_THREADS = 2;

  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  WEB_VITALS_RETENTION_DAYS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 30_000;

  /**
   * Bytes of live events a client (Socket.IO or SSE) may have waiting to be sent; a client further behind is
   * disconnected (it reads too slowly).
   */
  @ByteLimit('1mb, 512kb or 1048576', 'a smaller one disconnects a live client as soon as an event waits for it')
  EVENTS_CLIENT_MAX_PENDING = '1mb';

  /**
   * How long an agent's task events are gathered before they are sent together: to Socket.IO subscribers
   * that ask for batches (`tasks.updated`), and on agent SSE streams. 0: at the end of the event loop's turn.
   * While sending takes more than a third of the process's time (Socket.IO rooms and SSE streams together),
   * windows last three times what sending one window's batches takes, up to twice this (while stretched, an
   * event leaves within twice this of its state being written, never sooner than an unstretched window allows); an event after a quiet spell (nothing sent to its room for
   * a window's length) leaves at the end of the turn.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(5000)
  EVENTS_BATCH_MS = 100;
}
