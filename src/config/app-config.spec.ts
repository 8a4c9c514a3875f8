import express from 'express';
import { loadConfig } from './app-config';
import { parseDurationSeconds } from './env-parsers';
import { InvalidConfigError } from './config.errors';

const STRONG_SECRET = 'q7Vb2xK9mP4wZr8sT1uY6nE3aD5fG0hJ_kL-cB';

function expectInvalid(env: NodeJS.ProcessEnv, setting: string): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect((err as InvalidConfigError).setting).toBe(setting);
    expect((err as Error).message).toContain(setting);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error(`expected ${setting} to be refused`);
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.http).toEqual(
      expect.objectContaining({
        host: '127.0.0.1',
        port: 3000,
        bodyLimitBytes: 1024 * 1024,
        taskBodyLimitBytes: 512 * 1024,
        taskBatchBodyLimitBytes: 1024 * 1024,
        requestTimeoutMs: 30000,
      }),
    );
    expect(config.role).toBe('all');
    expect(config.database).toEqual({
      url: 'postgres://postgres@127.0.0.1:5432/ymera',
      name: 'ymera',
      poolMax: 20,
      migrationsRun: true,
      retryMs: 30000,
      read: { url: undefined, maxLagMs: 5000, readYourWritesMs: 5000, checkMs: 1000 },
    });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'ymera' });
    expect(config.auth.accessTtlSeconds).toBe(900);
    expect(config.auth.refreshTtlSeconds).toBe(30 * 86400);
    expect(config.rateLimits).toEqual({
      perMinute: 100,
      loginPerMinute: 5,
      frontendMetricsPerMinute: 1000,
      livePerMinute: 1000,
    });
    expect(config.worker.concurrency).toBe(10);
    expect(config.events).toEqual({ clientMaxPendingBytes: 1024 * 1024, batchMs: 100, connectionsPerUser: 200 });
  });

  it('refuses an empty REDIS_PREFIX instead of sharing the default one', () => {
    expect(expectInvalid({ REDIS_PREFIX: '' }, 'REDIS_PREFIX')).toMatch(/REDIS_PREFIX is empty/);
    expectInvalid({ REDIS_PREFIX: '  ' }, 'REDIS_PREFIX');
    expect(loadConfig({}).redis.prefix).toBe('ymera');
  });

  it('limits a user to 1,000 schedules unless SCHEDULES_PER_USER says otherwise (0: no limit)', () => {
    expect(loadConfig({}).schedules).toEqual({ syncIntervalMs: 5000, perUser: 1000 });
    expect(loadConfig({ SCHEDULES_PER_USER: '0' }).schedules.perUser).toBe(0);
    expect(loadConfig({ SCHEDULES_PER_USER: '25' }).schedules.perUser).toBe(25);
    for (const bad of ['-1', '2.5', 'many']) expectInvalid({ SCHEDULES_PER_USER: bad }, 'SCHEDULES_PER_USER');
  });

  it('limits what one user may have: 1,000 agents and workflows, 100 webhook endpoints and inbound hooks (0: no limit)', () => {
    const { perUser } = loadConfig({});
    expect(Object.fromEntries(Object.entries(perUser).map(([kind, limit]) => [kind, limit.max]))).toEqual({
      agents: 1000,
      workflows: 1000,
      webhooks: 100,
      hooks: 100,
    });
    expect(perUser.webhooks).toEqual({ max: 100, setting: 'WEBHOOKS_PER_USER', noun: 'webhook endpoints' });
    expect(loadConfig({ AGENTS_PER_USER: '0', HOOKS_PER_USER: '7' }).perUser).toMatchObject({
      agents: { max: 0 },
      hooks: { max: 7 },
    });
    for (const setting of ['AGENTS_PER_USER', 'WORKFLOWS_PER_USER', 'WEBHOOKS_PER_USER', 'HOOKS_PER_USER'])
      for (const bad of ['-1', '2.5', 'many']) expectInvalid({ [setting]: bad }, setting);
  });

  it('takes an event batch window from 0 (the end of a turn) to 5 s', () => {
    expect(loadConfig({ EVENTS_BATCH_MS: '0' }).events.batchMs).toBe(0);
    expect(loadConfig({ EVENTS_BATCH_MS: '200' }).events.batchMs).toBe(200);
    for (const bad of ['-1', '5001', '1.5', 'soon']) expectInvalid({ EVENTS_BATCH_MS: bad }, 'EVENTS_BATCH_MS');
  });

  it("takes the purge's pause factor as a decimal from 0 to 100, 1 by default", () => {
    const retention = (env: NodeJS.ProcessEnv) => loadConfig(env).taskRetention;
    expect(retention({})).toEqual({ days: 0, batchSize: 500, intervalMs: 60_000, pauseMs: 50, pauseFactor: 1 });
    expect(retention({ TASK_RETENTION_PAUSE_FACTOR: '0' }).pauseFactor).toBe(0);
    expect(retention({ TASK_RETENTION_PAUSE_FACTOR: ' 2.5 ' }).pauseFactor).toBe(2.5);
    // An empty setting is an unset one, as for every other.
    expect(retention({ TASK_RETENTION_PAUSE_FACTOR: '' }).pauseFactor).toBe(1);
    for (const bad of ['-1', '101', '1e3', '0x10', 'twice'])
      expectInvalid({ TASK_RETENTION_PAUSE_FACTOR: bad }, 'TASK_RETENTION_PAUSE_FACTOR');
    // Each refused for what is wrong with it: a negative one for its least, not its most.
    for (const [bad, says] of [
      ['-1', 'must not be less than 0'],
      ['-0.5', 'must not be less than 0'],
      ['101', 'must not be greater than 100'],
      ['twice', 'must be a number'],
    ])
      expect(expectInvalid({ TASK_RETENTION_PAUSE_FACTOR: bad }, 'TASK_RETENTION_PAUSE_FACTOR')).toContain(says);
  });

  it("keeps a template's rendered input within an eighth of its thread's heap", () => {
    const limits = (env: NodeJS.ProcessEnv) => loadConfig(env).workflows.templates;
    expect(limits({})).toMatchObject({ maxOutputBytes: 1024 * 1024, heapMb: 64 });
    expect(limits({ WORKFLOW_TEMPLATE_HEAP_MB: '16', WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES: '2097152' }).heapMb).toBe(16);
    expect(
      expectInvalid(
        { WORKFLOW_TEMPLATE_HEAP_MB: '16', WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES: '2097153' },
        'WORKFLOW_TEMPLATE_MAX_OUTPUT_BYTES',
      ),
    ).toMatch(/at most an eighth of WORKFLOW_TEMPLATE_HEAP_MB \(2097152 bytes\)/);
  });

  it('generates a per-process JWT secret outside production, with a warning', () => {
    const warnings: string[] = [];
    const a = loadConfig({ NODE_ENV: 'development' }, (m) => warnings.push(m));
    const b = loadConfig({ NODE_ENV: 'development' });
    expect(a.auth.jwtSecretGenerated).toBe(true);
    expect(a.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.auth.jwtSecret).not.toBe(b.auth.jwtSecret);
    expect(warnings.join(' ')).toContain('JWT_SECRET');
  });

  it('closes self-registration by default in production only, and takes an explicit setting anywhere', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, SECRETS_KEY: 'a'.repeat(64) };
    expect(loadConfig(prod).auth.registration).toBe('closed');
    expect(loadConfig({ ...prod, AUTH_REGISTRATION: '' }).auth.registration).toBe('closed');
    expect(loadConfig({ ...prod, AUTH_REGISTRATION: 'open' }).auth.registration).toBe('open');
    expect(loadConfig({}).auth.registration).toBe('open');
    expect(loadConfig({ AUTH_REGISTRATION: 'closed' }).auth.registration).toBe('closed');
    expectInvalid({ AUTH_REGISTRATION: 'maybe' }, 'AUTH_REGISTRATION');
  });

  it('takes the bootstrap admin’s address under the rule of every account’s: ASCII alone', () => {
    expect(expectInvalid({ ADMIN_EMAIL: '\u0430dmin@example.com' }, 'ADMIN_EMAIL')).toMatch(/must be ASCII/);
    expect(expectInvalid({ ADMIN_EMAIL: 'admin' }, 'ADMIN_EMAIL')).toMatch(/must be an e-mail address/);
    expect(loadConfig({ ADMIN_EMAIL: 'ops@xn--bcher-kva.example' }).auth.adminEmail).toBe('ops@xn--bcher-kva.example');
  });

  it('refuses a token lifetime under a second', () => {
    expect(expectInvalid({ JWT_ACCESS_TTL: '0' }, 'JWT_ACCESS_TTL')).toContain('at least 1 second');
    expectInvalid({ JWT_REFRESH_TTL: '500ms' }, 'JWT_REFRESH_TTL');
    expect(loadConfig({ JWT_ACCESS_TTL: '1s' }).auth.accessTtlSeconds).toBe(1);
    // Nor past what an expiry can hold: a sign-in with a lifetime of centuries could not be stored.
    expect(expectInvalid({ JWT_REFRESH_TTL: '10000000000000' }, 'JWT_REFRESH_TTL')).toContain('at most 3650d');
    expectInvalid({ JWT_ACCESS_TTL: '99999999999999999999' }, 'JWT_ACCESS_TTL');
    expectInvalid({ JWT_ACCESS_TTL: '31d' }, 'JWT_ACCESS_TTL');
    expect(loadConfig({ JWT_REFRESH_TTL: '3650d', JWT_ACCESS_TTL: '30d' }).auth.refreshTtlSeconds).toBe(3650 * 86_400);
  });

  it('requires a strong JWT secret in production', () => {
    const prod = { NODE_ENV: 'production', SECRETS_KEY: 'a'.repeat(64) };
    expectInvalid(prod, 'JWT_SECRET');
    expectInvalid({ ...prod, JWT_SECRET: 'short-secret' }, 'JWT_SECRET');
    expectInvalid({ ...prod, JWT_SECRET: 'changeme-changeme-changeme-changeme' }, 'JWT_SECRET');
    expectInvalid({ ...prod, JWT_SECRET: 'x'.repeat(40) }, 'JWT_SECRET');
    expect(loadConfig({ ...prod, JWT_SECRET: STRONG_SECRET }).auth.jwtSecret).toBe(STRONG_SECRET);
  });

  it('refuses "*" as CORS origin in production but allows explicit origins', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, SECRETS_KEY: 'a'.repeat(64) };
    expectInvalid({ ...prod, CORS_ORIGINS: '*' }, 'CORS_ORIGINS');
    expectInvalid({ ...prod, CORS_ORIGINS: 'not a url' }, 'CORS_ORIGINS');
    const config = loadConfig({ ...prod, CORS_ORIGINS: 'https://a.example, https://b.example:8443' });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).http.corsOrigins).toEqual(['*']);
  });

  it('names the setting and the bad value in one line', () => {
    const port = expectInvalid({ PORT: 'eighty' }, 'PORT');
    expect(port).toContain('"eighty"');
    expect(port).toContain('integer');
    expectInvalid({ PORT: '70000' }, 'PORT');
    expectInvalid({ APP_ROLE: 'scheduler' }, 'APP_ROLE');
    expectInvalid({ DB_POOL_MAX: '0' }, 'DB_POOL_MAX');
    expectInvalid({ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL');
    expectInvalid({ DATABASE_READ_URL: 'replica:5432' }, 'DATABASE_READ_URL');
    expectInvalid({ DATABASE_READ_CHECK_MS: '10' }, 'DATABASE_READ_CHECK_MS');
    // Archives no checkpoint could be signed for would never be written: refused at start, not at every pass.
    expectInvalid({ AUDIT_RETENTION_DAYS: '90' }, 'AUDIT_RETENTION_DAYS');
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '90', SECRETS_KEY: 'a'.repeat(64) }).audit.retentionDays).toBe(90);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '90', AUDIT_CHECKPOINT_KEY: 'b'.repeat(64) }).audit.retentionDays).toBe(
      90,
    );
    expectInvalid({ BODY_LIMIT: 'huge' }, 'BODY_LIMIT');
    expectInvalid({ JWT_ACCESS_TTL: 'soon' }, 'JWT_ACCESS_TTL');
    expectInvalid({ AGENT_ALLOW_PRIVATE_NETWORKS: 'maybe' }, 'AGENT_ALLOW_PRIVATE_NETWORKS');
  });

  it('never prints the value of a secret setting', () => {
    const message = expectInvalid({ METRICS_TOKEN: 'short-token' }, 'METRICS_TOKEN');
    expect(message).not.toContain('short-token');
  });

  it('never prints the password of a connection URL it refuses', () => {
    const message = expectInvalid(
      { DATABASE_READ_URL: 'mysql://reader:hunter2-secret@db.internal:3306/ymera' },
      'DATABASE_READ_URL',
    );
    expect(message).not.toContain('hunter2-secret');
    expect(message).toContain('mysql://reader:***@db.internal:3306/ymera');
    expect(expectInvalid({ REDIS_URL: 'http://:pw-in-url@cache:6379' }, 'REDIS_URL')).not.toContain('pw-in-url');
    // Mistyped without its slashes: refused, and its password still not shown.
    for (const [setting, value] of [
      ['DATABASE_URL', 'postgres:/postgres:Sup3rS3cretPW@127.0.0.1:5440/db'],
      ['DATABASE_URL', 'postgresql:user:Sup3rS3cretPW@host/db'],
      ['REDIS_URL', 'redis:/default:Sup3rS3cretPW@cache:6379'],
    ])
      expect(expectInvalid({ [setting]: value }, setting)).not.toContain('Sup3rS3cretPW');
  });

  it('parses sizes, booleans, proxies and durations', () => {
    const config = loadConfig({
      BODY_LIMIT: '512kb',
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
      TRUST_PROXY: '1',
      DATABASE_URL: 'postgres://u:p@db:5432/other',
    });
    expect(config.http.bodyLimitBytes).toBe(512 * 1024);
    expect(config.agents.allowPrivateNetworks).toBe(true);
    expect(config.http.trustProxy).toBe(1);
    expect(config.database.name).toBe('other');
    expect(
      loadConfig({ DATABASE_READ_URL: 'postgres://r@replica:5432/other', DATABASE_READ_MAX_LAG_MS: '250' }).database
        .read,
    ).toMatchObject({ url: 'postgres://r@replica:5432/other', maxLagMs: 250 });
    expect(parseDurationSeconds('15m')).toBe(900);
    expect(parseDurationSeconds('2h')).toBe(7200);
    expect(parseDurationSeconds('45')).toBe(45);
  });

  it('refuses a connection URL with a "%" that begins no escape, naming the part and never the password', () => {
    const cases: Array<[string, string, string]> = [
      ['DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/x%zz', 'path'],
      ['DATABASE_URL', 'postgres://postgres:hunter2%zz@127.0.0.1:5432/x', 'password'],
      ['DATABASE_URL', 'postgres://hunter2%e9@127.0.0.1:5432/x', 'user'],
      ['DATABASE_READ_URL', 'postgres://reader:hunter2%ff@replica:5432/x', 'password'],
      ['REDIS_URL', 'redis://:hunter2%zz@127.0.0.1:6390', 'password'],
      ['REDIS_URL', 'rediss+cluster://app:hunter2%zz@a:7000,b:7001', 'password'],
    ];
    for (const [setting, url, part] of cases) {
      const message = expectInvalid({ [setting]: url }, setting);
      expect(message).toBe(
        `Invalid configuration: ${setting} has a "%" in its ${part} that begins no escape of UTF-8 bytes (%XX): ` +
          'write a "%" of the value itself as %25',
      );
      expect(message).not.toContain('hunter2');
    }
  });

  it('takes escapes that decode, and a redis+cluster:// URL listing several nodes', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:p%40ss%25@db:5432/my%20db',
      REDIS_URL: 'redis+cluster://:p%25w@a:7000,b:7001',
    });
    expect(config.database.name).toBe('my db');
    expect(config.redis.cluster).toEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      username: undefined,
      password: 'p%w',
      tls: false,
    });
  });

  it('refuses a body or live-event limit under 1kb, which would refuse every body (a login too)', () => {
    for (const setting of ['BODY_LIMIT', 'TASK_BODY_LIMIT', 'TASK_BATCH_BODY_LIMIT', 'EVENTS_CLIENT_MAX_PENDING']) {
      for (const small of ['0', '1023', '0.5kb', '0mb'])
        expect(expectInvalid({ [setting]: small }, setting)).toMatch(
          new RegExp(`^Invalid configuration: ${setting} must be at least 1kb: .+ \\(got "${small}"\\)$`),
        );
      expect(expectInvalid({ [setting]: 'huge' }, setting)).toMatch(/must be a size such as .* \(got "huge"\)$/);
      expectInvalid({ [setting]: '1tb' }, setting);
    }
    expect(expectInvalid({ BODY_LIMIT: '0' }, 'BODY_LIMIT')).toContain('refuses every request with a body (413)');
    const config = loadConfig({
      BODY_LIMIT: '1kb',
      TASK_BODY_LIMIT: '1024',
      TASK_BATCH_BODY_LIMIT: '2mb',
      EVENTS_CLIENT_MAX_PENDING: '1.5kb',
    });
    expect(config.http).toMatchObject({
      bodyLimitBytes: 1024,
      taskBodyLimitBytes: 1024,
      taskBatchBodyLimitBytes: 2097152,
    });
    expect(config.events.clientMaxPendingBytes).toBe(1536);
  });

  it('names a connection URL that matches its pattern but is not a URL', () => {
    expect(expectInvalid({ DATABASE_URL: 'postgres://[db/ymera' }, 'DATABASE_URL')).toContain('not a valid URL');
    expect(expectInvalid({ REDIS_URL: 'redis://[cache' }, 'REDIS_URL')).toContain('not a valid URL');
  });

  it('never prints the password of a URL it refuses, even one holding a / or an @ of its own', () => {
    for (const password of ['pa/ss', 'se:cr/et', 'x/y@z']) {
      const message = expectInvalid({ DATABASE_URL: `postgres://admin:${password}@db:5432/ymera` }, 'DATABASE_URL');
      expect(message).not.toContain(password);
    }
  });

  it('takes TRUST_PROXY as Express does, and names it when Express would refuse the value', () => {
    const good: Array<[string, boolean | number | string]> = [
      ['false', false],
      ['true', true],
      ['2', 2],
      ['loopback', 'loopback'],
      ['loopback, linklocal,uniquelocal', 'loopback, linklocal,uniquelocal'],
      ['10.0.0.1,10.0.0.0/8,fd00::/8', '10.0.0.1,10.0.0.0/8,fd00::/8'],
      ['192.168.0.0/255.255.0.0', '192.168.0.0/255.255.0.0'],
      ['::1', '::1'],
    ];
    for (const [value, parsed] of good) {
      const trustProxy = loadConfig({ TRUST_PROXY: value }).http.trustProxy;
      expect(trustProxy).toEqual(parsed);
      // The app hands the value to Express as it is, which must take it.
      expect(() => express().set('trust proxy', trustProxy)).not.toThrow();
    }
    for (const bad of ['banana', 'yes', '-1', '10.0.0.1,banana', '10.0.0.0/33', '10.0.0.0/255.0.255.0', 'a,,b']) {
      const message = expectInvalid({ TRUST_PROXY: bad }, 'TRUST_PROXY');
      expect(message).toContain(`"${bad}"`);
      expect(() => express().set('trust proxy', bad)).toThrow();
    }
  });
});
