import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Client } from 'pg';
import { buildApp, processEnv, startProcess, workerProcesses } from './utils/built-app';
import { waitFor } from './utils/wait-for';
import { OwnRedis } from './utils/own-redis';
import { sparePort } from './utils/spare-port';
import { TestEnv } from './utils/test-app';

/** Runs the built process to its end: its exit code and everything it printed. */
async function run(vars: NodeJS.ProcessEnv): Promise<{ code: number | null; lines: string[] }> {
  const app = startProcess(vars);
  const [code] = (await once(app.child, 'close')) as [number | null];
  return { code, lines: app.output().trim().split('\n') };
}

/**
 * The process stopped with exit code 1, one line says `pattern`, and nothing it printed is a stack (stdout and
 * stderr arrive in either order, so the line is looked for among those printed before).
 */
function expectStartFailure(result: { code: number | null; lines: string[] }, pattern: RegExp): string {
  expect(result.code).toBe(1);
  const matching = result.lines.filter((line) => pattern.test(line));
  expect(matching).toHaveLength(1);
  expect(result.lines.join('\n')).not.toMatch(/^\s+at |Unhandled|node:internal/m);
  return matching[0];
}

describe('start-up failures name their cause in one line', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    buildApp();
    await env.prepare();
  }, 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  it.each([
    ['LOG_LEVEL', 'loud', /^Invalid configuration: LOG_LEVEL must be one of .* \(got "loud"\)$/],
    ['LOG_LEVEL', 'INFO', /^Invalid configuration: LOG_LEVEL must be one of .* \(got "INFO"\)$/],
    ['TRUST_PROXY', 'banana', /^Invalid configuration: TRUST_PROXY must be true, false, .*\(got "banana"\)$/],
    ['TRUST_PROXY', 'loopback,10.0.0.0/33', /^Invalid configuration: TRUST_PROXY .*"10\.0\.0\.0\/33" is none/],
    ['DATABASE_URL', 'postgres://[db/ymera', /^Invalid configuration: DATABASE_URL is not a valid URL/],
    ['BODY_LIMIT', '0', /^Invalid configuration: BODY_LIMIT must be at least 1kb: .*a login too \(got "0"\)$/],
    ['TASK_BODY_LIMIT', '0', /^Invalid configuration: TASK_BODY_LIMIT must be at least 1kb: .* \(got "0"\)$/],
    ['TASK_BATCH_BODY_LIMIT', '512b', /^Invalid configuration: TASK_BATCH_BODY_LIMIT must be at least 1kb: .*"512b"/],
    ['EVENTS_CLIENT_MAX_PENDING', '0', /^Invalid configuration: EVENTS_CLIENT_MAX_PENDING must be at least 1kb: /],
    ['FILE_MAX_BYTES', '0', /^Invalid configuration: FILE_MAX_BYTES must be at least 1kb: .*every upload/],
  ])('%s=%s: the settings line, exit code 1', async (setting, value, pattern) => {
    const result = await run(processEnv(env, { [setting]: value, PORT: '0' }));
    expectStartFailure(result, pattern);
    expect(result.lines).toHaveLength(1);
  });

  describe('a connection URL with a "%" that begins no escape', () => {
    const secret = 'pw-escape-secret';
    const server = new URL(env.config.database.url);
    const name = `${env.config.database.name}_escape`;
    const postgres = (auth: string, database: string) => `postgres://${auth}@${server.host}/${database}`;

    /** The databases whose names start with `name` (the one a refused start must not have created). */
    async function databasesNamed(): Promise<string[]> {
      const maintenance = new URL(env.config.database.url);
      maintenance.pathname = '/postgres';
      const client = new Client({ connectionString: maintenance.toString() });
      await client.connect();
      try {
        const found = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [name]);
        return found.rows.map((row: { datname: string }) => row.datname);
      } finally {
        await client.end();
      }
    }

    it.each([
      ['DATABASE_URL', postgres('postgres', `${name}%zz`), 'path'],
      ['DATABASE_URL', postgres(`postgres:${secret}%zz`, name), 'password'],
      ['DATABASE_URL', postgres(`postgres:${secret}%ff`, name), 'password'],
      ['REDIS_URL', `redis://:${secret}%zz@127.0.0.1:6390`, 'password'],
    ])('%s=%s: the settings line naming the %s, nothing created', async (setting, value, part) => {
      const result = await run(processEnv(env, { [setting]: value, PORT: '0' }));
      expectStartFailure(
        result,
        new RegExp(`^Invalid configuration: ${setting} has a "%" in its ${part} that begins no escape of UTF-8 bytes`),
      );
      expect(result.lines).toHaveLength(1);
      expect(result.lines.join('\n')).not.toMatch(new RegExp(`${secret}|URIError|URI malformed`));
      expect(await databasesNamed()).toEqual([]);
    });
  });

  it.each([
    ['bogus.invalid', /^Invalid configuration: HOST "bogus\.invalid" is not a name this machine can resolve$/],
    ['192.0.2.1', /^Invalid configuration: HOST "192\.0\.2\.1" is not an address of this machine$/],
  ])('HOST=%s: the settings line naming HOST, exit code 1', async (host, pattern) => {
    const result = await run(processEnv(env, { HOST: host, PORT: '0' }));
    expectStartFailure(result, pattern);
  });

  it('a DATABASE_URL user Postgres refuses: the refused login, not "start it"', async () => {
    const url = new URL(env.config.database.url);
    url.username = 'wronguser';
    const result = await run(processEnv(env, { DATABASE_URL: url.toString(), PORT: '0' }));
    const line = expectStartFailure(
      result,
      /^PostgreSQL at 127\.0\.0\.1:5432 \(DATABASE_URL\) refused the login of user "wronguser": role "wronguser" does not exist \(28000\)\. Check the user and password in DATABASE_URL\.$/,
    );
    expect(line).not.toMatch(/not reachable|Start it/);
    expect(result.lines).toHaveLength(1);
  });

  it('a DATABASE_URL nothing listens on: not reachable, with how to start Postgres', async () => {
    const port = await sparePort();
    const result = await run(processEnv(env, { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x`, PORT: '0' }));
    expectStartFailure(
      result,
      new RegExp(
        `^PostgreSQL is not reachable at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\): .*ECONNREFUSED.*Start it`,
      ),
    );
    expect(result.lines).toHaveLength(1);
  });

  it('REDIS_URL credentials Redis refuses: the refused login, not "start it"', async () => {
    const result = await run(processEnv(env, { REDIS_URL: 'redis://nobody:wrong-password@127.0.0.1:6379', PORT: '0' }));
    const line = expectStartFailure(
      result,
      /^Redis at 127\.0\.0\.1:6379 \(REDIS_URL\) refused the login: WRONGPASS .*Check the user and password in REDIS_URL\.$/,
    );
    expect(line).not.toMatch(/not reachable|Start it/);
  });

  it('a REDIS_URL nothing listens on: not reachable, with how to start Redis', async () => {
    const port = await sparePort();
    const result = await run(processEnv(env, { REDIS_URL: `redis://127.0.0.1:${port}`, PORT: '0' }));
    expectStartFailure(
      result,
      new RegExp(
        `^Redis is not reachable at 127\\.0\\.0\\.1:${port} .*ECONNREFUSED.*Start it with ` +
          `"redis-server --daemonize yes --bind 127\\.0\\.0\\.1 --port ${port}"`,
      ),
    );
  });

  it('a REDIS_URL naming a database the server does not have: stops, naming it, rather than using database 0', async () => {
    const result = await run(processEnv(env, { REDIS_URL: 'redis://127.0.0.1:6379/99', PORT: '0' }));
    const line = expectStartFailure(
      result,
      /^Redis at 127\.0\.0\.1:6379 \(REDIS_URL\) has no database 99: .*DB index is out of range.* in REDIS_URL\.$/,
    );
    expect(line).not.toMatch(/not reachable|Start it/);
  });

  it('a host name that does not resolve: says to check it, not to start a server', async () => {
    const result = await run(processEnv(env, { DATABASE_URL: 'postgres://postgres@db.invalid:5432/x', PORT: '0' }));
    const line = expectStartFailure(
      result,
      /^PostgreSQL is not reachable at db\.invalid:5432 \(DATABASE_URL\): .*ENOTFOUND.*check the host in DATABASE_URL/,
    );
    expect(line).not.toMatch(/Start it/);
  });

  /** Runs `sql` on `url`'s database. */
  async function sql(url: string, text: string): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  it('a database a newer build migrated: names the migrations it does not know, changes nothing', async () => {
    const url = env.config.database.url;
    await sql(url, `INSERT INTO migrations ("timestamp", name) VALUES (1999999999999, 'FromANewerBuild1999999999999')`);
    try {
      const result = await run(processEnv(env, { PORT: '0' }));
      expectStartFailure(
        result,
        /^The database "[^"]+" \(DATABASE_URL\) has 1 migration\(s\) applied that this build does not know \(FromANewerBuild1999999999999\): a newer build migrated it\. Start that build, or revert them with it/,
      );
    } finally {
      await sql(url, `DELETE FROM migrations WHERE name = 'FromANewerBuild1999999999999'`);
    }
  });

  it('a SECRETS_KEY other than the one the database was started with: refused before anything runs', async () => {
    const result = await run(processEnv(env, { SECRETS_KEY: randomBytes(32).toString('hex'), PORT: '0' }));
    const line = expectStartFailure(
      result,
      /^SECRETS_KEY is not the key this database's secrets were sealed with \(agent, webhook and hook secrets, MFA seeds\): start with that key\./,
    );
    expect(line).not.toContain(env.config.secretsKey!.toString('hex'));
    expect(result.lines).toHaveLength(1);
  });

  it("a worker with a REDIS_PREFIX other than the database's processes use: refused in one line naming both", async () => {
    const prefix = env.config.redis.prefix;
    const result = await run(processEnv(env, { APP_ROLE: 'worker', REDIS_PREFIX: `${prefix}q`, PORT: '0' }));
    expectStartFailure(
      result,
      new RegExp(
        `^REDIS_PREFIX is "${prefix}q", and this database's processes use "${prefix}": every api and worker process ` +
          `of a database shares one REDIS_PREFIX .+ Start with REDIS_PREFIX=${prefix}\\.`,
      ),
    );
    expect(result.lines).toHaveLength(1);
  });

  it('no SECRETS_KEY on a database whose secrets were sealed with one: says it is not set', async () => {
    const unset = processEnv(env, { PORT: '0' });
    delete unset.SECRETS_KEY;
    const result = await run(unset);
    expectStartFailure(
      result,
      /^SECRETS_KEY is not set, and this database's secrets were sealed with a key \(.+\): start with that key, as SECRETS_KEY\./,
    );
  });

  it('DB_MIGRATIONS_RUN=false on a database without its migrations: says to run them first', async () => {
    const bare = new URL(env.config.database.url);
    bare.pathname = `${bare.pathname}_bare`;
    try {
      const result = await run(
        processEnv(env, { DATABASE_URL: bare.toString(), DB_MIGRATIONS_RUN: 'false', PORT: '0' }),
      );
      expectStartFailure(
        result,
        /^The database "[^"]+_bare" \(DATABASE_URL\) lacks \d+ migration\(s\) this build needs \(.+ and \d+ more\) and DB_MIGRATIONS_RUN=false: run "npm run migration:run" first/,
      );
    } finally {
      const maintenance = new URL(env.config.database.url);
      maintenance.pathname = '/postgres';
      await sql(maintenance.toString(), `DROP DATABASE IF EXISTS "${bare.pathname.slice(1)}" WITH (FORCE)`);
    }
  });

  describe('ports in use', () => {
    let taken: Server;
    let port: number;
    beforeEach(async () => {
      port = await sparePort();
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    });
    afterEach(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('PORT', async () => {
      const result = await run(processEnv(env, { APP_ROLE: 'api', PORT: String(port), LOG_LEVEL: 'warn' }));
      expectStartFailure(
        result,
        new RegExp(`^Invalid configuration: PORT ${port} is already in use on 127\\.0\\.0\\.1$`),
      );
    }, 60_000);

    it('PORT with APP_ROLE=all: that line alone, before the worker or anything else starts', async () => {
      const result = await run(processEnv(env, { APP_ROLE: 'all', PORT: String(port), LOG_LEVEL: 'info' }));
      expectStartFailure(
        result,
        new RegExp(`^Invalid configuration: PORT ${port} is already in use on 127\\.0\\.0\\.1$`),
      );
      expect(result.lines).toHaveLength(1);
    }, 60_000);

    it('PORT, after a warning about a misspelt setting, which is otherwise ignored', async () => {
      const vars = { APP_ROLE: 'api', PORT: String(port), LOG_LEVEL: 'warn', TASK_RETENTON_DAYS: '30' };
      const result = await run(processEnv(env, vars));
      expectStartFailure(result, /^Invalid configuration: PORT \d+ is already in use/);
      const warnings = result.lines.filter((line) => line.includes('TASK_RETENTON_DAYS'));
      expect(warnings.map((line) => JSON.parse(line) as { level: number; msg: string })).toEqual([
        expect.objectContaining({
          level: 40,
          msg: 'TASK_RETENTON_DAYS is not a setting and is ignored (did you mean TASK_RETENTION_DAYS?); .env.example lists them',
        }),
      ]);
    }, 60_000);

    it('METRICS_PORT of a worker: that line alone, before the worker or anything else starts', async () => {
      const result = await run(processEnv(env, { APP_ROLE: 'worker', METRICS_PORT: String(port), LOG_LEVEL: 'info' }));
      expectStartFailure(
        result,
        new RegExp(
          `^Invalid configuration: METRICS_PORT ${port} is already in use on 127\\.0\\.0\\.1: ` +
            `each worker on one host needs its own METRICS_PORT \\(or METRICS_PORT=0 for any free port\\)$`,
        ),
      );
      expect(result.lines).toHaveLength(1);
    }, 60_000);
  });

  it('a second worker on the METRICS_PORT of the first stops with that line; the first keeps running', async () => {
    const port = await sparePort();
    const workers = workerProcesses(env, { METRICS_PORT: String(port), LOG_LEVEL: 'info' });
    try {
      const first = await workers.start();
      const second = await run(processEnv(env, { APP_ROLE: 'worker', METRICS_PORT: String(port), LOG_LEVEL: 'warn' }));
      expectStartFailure(second, new RegExp(`^Invalid configuration: METRICS_PORT ${port} is already in use`));
      expect(second.lines).toHaveLength(1);
      expect(first.child.exitCode).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      await workers.killAll();
    }
  }, 90_000);

  it('a worker with METRICS_PORT=0 prints the metrics and health URLs of the port it got', async () => {
    const workers = workerProcesses(env, { METRICS_PORT: '0' });
    try {
      const worker = await workers.start();
      const [, metrics] = await worker.waitFor(/^Metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m);
      const [, health] = await worker.waitFor(/^Health: (http:\/\/127\.0\.0\.1:\d+\/health\/ready)$/m);
      expect(new URL(metrics).port).not.toBe('0');
      expect(new URL(metrics).port).toBe(new URL(health).port);
      expect((await fetch(health)).status).toBe(200);
      expect(await (await fetch(metrics)).text()).toContain('# TYPE');
    } finally {
      await workers.killAll();
    }
  }, 90_000);

  it("a worker's /health/ready names the dependency that is down", async () => {
    const redis = new OwnRedis();
    await redis.start();
    const port = await sparePort();
    const workers = workerProcesses(env, { METRICS_PORT: String(port), REDIS_URL: redis.url, LOG_LEVEL: 'info' });
    const ready = async () => {
      // A probe that gets no answer fails here rather than holding the test until its timeout.
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
      const states = Object.fromEntries(Object.entries(body.details).map(([name, { status }]) => [name, status]));
      return { status: res.status, body: { status: body.status, states } };
    };
    const up = { status: 200, body: { status: 'ok', states: { database: 'up', redis: 'up' } } };
    const redisDown = { status: 503, body: { status: 'error', states: { database: 'up', redis: 'down' } } };
    try {
      await workers.start();
      expect(await ready()).toEqual(up);
      // Terminus's result, as the API's /health/ready gives it (each component with its response time too).
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' }, redis: { status: 'up' } },
      });
      // A frozen Redis holds its connections open and answers nothing: the probe still gets its answer.
      redis.pause();
      expect(await ready()).toEqual(redisDown);
      redis.resume();
      await waitFor(async () => (await ready()).status === 200, 15_000);
      await redis.stopEmpty();
      await waitFor(async () => (await ready()).status === 503, 15_000);
      expect(await ready()).toEqual(redisDown);
    } finally {
      await workers.killAll();
      await redis.stopEmpty();
    }
  }, 90_000);
});
