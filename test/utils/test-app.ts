import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { AppLogger } from '../../src/logging/app-logger';
import type { App } from 'supertest/types';
import { AuditChainer } from '../../src/audit/audit-chainer';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app/app.module';
import { configureHttpApp } from '../../src/app/configure-http-app';
import { EnvelopeExpressAdapter } from '../../src/common/http/envelope-express.adapter';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { dropDatabase } from '../../src/database/prepare-database';
import { preflight } from '../../src/app/preflight';
import { AdminBootstrapService } from '../../src/users/admin-bootstrap.service';
import { APP_VERSION } from '../../src/version';

const PG_URL = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A database name and Redis prefix of its own for one test file, removed by {@link TestEnv.destroy}. */
export class TestEnv {
  readonly id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly config: AppConfig;
  /** The settings as environment variables (for a process or command started on this environment). */
  readonly vars: Record<string, string>;

  constructor(overrides: Record<string, string> = {}) {
    this.vars = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `${PG_URL}/ymera_test_${this.id}`,
      REDIS_URL,
      REDIS_PREFIX: `ymera-test-${this.id}`,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: 'admin@test.local',
      ADMIN_PASSWORD: 'admin-password-for-tests',
      // Generous budgets so tests are not limited by each other; rate-limit tests set their own.
      RATE_LIMIT_PER_MIN: '100000',
      RATE_LIMIT_LOGIN_PER_MIN: '100000',
      RATE_LIMIT_LIVE_PER_MIN: '100000',
      LIVE_CONNECTIONS_PER_USER: '100000',
      FILES_DIR: join(tmpdir(), `ymera-test-files-${this.id}`),
      ...overrides,
    };
    this.config = loadConfig(this.vars);
  }

  /** Creates the database and applies migrations, as `npm start` does. */
  async prepare(): Promise<void> {
    await preflight(this.config);
  }

  async destroy(): Promise<void> {
    await dropDatabase(this.config);
    rmSync(this.config.files.dir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.config.redis.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}

export interface TestApp {
  app: NestExpressApplication;
  http: App;
  env: TestEnv;
  dataSource: DataSource;
  /** Chains the audit entries written so far, for tests that read audit_logs directly. */
  chainAudit(): Promise<void>;
  close(): Promise<void>;
}

interface TestAppOptions {
  env?: Record<string, string>;
  /** Extra modules for routes only a test needs (a slow handler, a failing one). */
  imports?: ModuleMetadata['imports'];
  /** Reuse an existing environment (a second instance on the same database and Redis). */
  shared?: TestEnv;
  /** Providers answered by the test instead (a host resolver for names the test owns). */
  overrides?: { provide: unknown; useValue: unknown }[];
}

/** Boots the real application against real Postgres and Redis, configured as in production. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  if (options.shared) return bootTestApp(options.shared, options);
  const env = new TestEnv(options.env);
  try {
    await env.prepare();
    return await bootTestApp(env, options);
  } catch (err) {
    // A boot that failed leaves no database or keys behind: the caller has no handle to remove them with.
    await env.destroy().catch(() => undefined);
    throw err;
  }
}

async function bootTestApp(env: TestEnv, options: TestAppOptions): Promise<TestApp> {
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot(env.config), ...(options.imports ?? [])],
  });
  for (const { provide, useValue } of options.overrides ?? []) builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new EnvelopeExpressAdapter(), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(AppLogger));
  configureHttpApp(app, env.config, APP_VERSION);
  try {
    await app.init();
    await app.get(AdminBootstrapService).ensureAdmin();
  } catch (err) {
    // What did start (connections, workers, timers) stops before the caller removes the database and keys.
    await app.close().catch(() => undefined);
    throw err;
  }
  return {
    app,
    http: app.getHttpServer() as App,
    env,
    dataSource: app.get(DataSource),
    chainAudit: () => app.get(AuditChainer).flush(),
    close: async () => {
      try {
        await app.close();
      } finally {
        if (!options.shared) await env.destroy();
      }
    },
  };
}
