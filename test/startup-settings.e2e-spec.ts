import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Client } from 'pg';
import { buildApp, logLines, processEnv, startProcess } from './utils/built-app';
import { sparePort } from './utils/spare-port';
import { TestEnv } from './utils/test-app';

/** Runs the built process to its end: its exit code and everything it printed. */
async function run(vars: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; lines: string[] }> {
  const app = startProcess(vars);
  const [code] = (await once(app.child, 'close')) as [number | null];
  const output = app.output();
  return { code, output, lines: output.trim().split('\n') };
}

async function dropDatabase(url: string, name: string): Promise<void> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

describe('misspelt settings and the database a start uses', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    buildApp();
    await env.prepare();
  }, 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  /** The test environment's settings in production, without `setting`. */
  function productionWithout(setting: string, extra: Record<string, string>): NodeJS.ProcessEnv {
    const vars = processEnv(env, { NODE_ENV: 'production', PORT: '0', ...extra });
    delete vars[setting];
    return vars;
  }

  it('NODE_ENV=production and DATABSE_URL instead of DATABASE_URL: stopped in one line naming both', async () => {
    const misspelt = new URL(env.config.database.url);
    misspelt.pathname = `${misspelt.pathname}_misspelt`;
    const result = await run(productionWithout('DATABASE_URL', { DATABSE_URL: misspelt.toString() }));
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      'Invalid configuration: DATABSE_URL is not a setting (did you mean DATABASE_URL?), and DATABASE_URL is not ' +
        'set: in production that stops the start rather than run without it. Rename DATABSE_URL to DATABASE_URL.',
    ]);
  });

  it.each(['production', 'development'])(
    'NODE_ENV=%s and DATABASE_URL set but empty (a secret rendered as nothing): stopped in one line',
    async (nodeEnv) => {
      const result = await run(processEnv(env, { NODE_ENV: nodeEnv, PORT: '0', DATABASE_URL: '' }));
      expect(result.code).toBe(1);
      expect(result.lines).toEqual([
        'Invalid configuration: DATABASE_URL is set but empty: that stops the start rather than run on the ' +
          'default. Give its value, or leave it out to use the default.',
      ]);
    },
  );

  it('NODE_EVN=production and no NODE_ENV: taken for production, and stopped in one line naming both', async () => {
    const result = await run(productionWithout('NODE_ENV', { NODE_EVN: 'production' }));
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      expect.stringMatching(/^Invalid configuration: NODE_EVN .* Rename NODE_EVN to NODE_ENV\.$/),
    ]);
  });

  it('outside production, DATABSE_URL beside DATABASE_URL is warned about, naming both', async () => {
    const port = await sparePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      // The taken PORT stops the start once the settings are read.
      const result = await run(processEnv(env, { APP_ROLE: 'api', PORT: String(port), DATABSE_URL: 'postgres://x' }));
      expect(result.code).toBe(1);
      expect(logLines(result.output).filter((line) => String(line.msg).includes('DATABSE_URL'))).toEqual([
        expect.objectContaining({
          level: 40,
          msg: 'DATABSE_URL is not a setting and is ignored (did you mean DATABASE_URL?); .env.example lists them',
        }),
      ]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);

  it('a database DATABASE_URL names that did not exist: created, said at warn with its name, not the password', async () => {
    const fresh = new URL(env.config.database.url);
    const name = `${fresh.pathname.slice(1)}_fresh`;
    fresh.pathname = `/${name}`;
    fresh.username = 'postgres';
    fresh.password = 'password-not-to-print';
    try {
      const app = startProcess(processEnv(env, { APP_ROLE: 'api', PORT: '0', DATABASE_URL: fresh.toString() }));
      await app.waitFor(/listening on/, 90_000);
      await app.stop();
      const output = app.output();
      expect(logLines(output).filter((line) => String(line.msg).startsWith('created database'))).toEqual([
        expect.objectContaining({
          level: 40,
          database: name,
          msg:
            `created database "${name}" on 127.0.0.1:5432: DATABASE_URL names it and it did not exist; ` +
            `if another database was meant, correct DATABASE_URL`,
        }),
      ]);
      expect(output).not.toContain('password-not-to-print');
    } finally {
      await dropDatabase(env.config.database.url, name);
    }
  }, 120_000);
});
