import { randomBytes } from 'node:crypto';

export const PG_SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BENCH_ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };

/**
 * The environment of an API process a benchmark starts: production mode, its own database and Redis prefix,
 * fresh secrets, the bench admin, quiet logs and no rate limit worth the name.
 */
export function benchServerEnv(db: string, prefix: string): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    APP_ROLE: 'api',
    PORT: '0',
    DATABASE_URL: `${PG_SERVER}/${db}`,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    SECRETS_KEY: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MIN: '100000000',
    // (j) opens 2,500 live connections as the admin, from one address.
    RATE_LIMIT_LIVE_PER_MIN: '100000000',
    LIVE_CONNECTIONS_PER_USER: '100000',
    METRICS_PORT: '0',
    EVENTS_BATCH_MS: process.env.EVENTS_BATCH_MS,
  };
}
