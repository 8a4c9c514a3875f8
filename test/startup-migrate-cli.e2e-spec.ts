import { once } from 'node:events';
import { MIGRATIONS } from '../migrations';
import { buildApp, startCommand } from './utils/built-app';
import { TestEnv } from './utils/test-app';

/** What `node dist/src/cli/migrate.js <command>` printed on each stream, and its exit code. */
interface Outcome {
  code: number | null;
  stdout: string[];
  stderr: string;
}

describe('the migration tool, through a rollback', () => {
  const env = new TestEnv();
  const last = MIGRATIONS[MIGRATIONS.length - 1].name;
  const database = env.config.database.name;

  beforeAll(async () => {
    buildApp();
    await env.prepare();
  }, 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  /** Runs the built migration tool on the test database, its output split by stream. */
  async function migrate(command: string, vars: Record<string, string> = {}): Promise<Outcome> {
    let stdout = '';
    let stderr = '';
    const tool = startCommand(process.execPath, ['dist/src/cli/migrate.js', command], {
      PATH: process.env.PATH,
      ...env.vars,
      ...vars,
    });
    tool.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    tool.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(tool.child, 'close')) as [number | null];
    return { code, stdout: stdout.trim().split('\n'), stderr };
  }

  it('names the migration reverted, says what is pending before any SQL, and prints nothing on stderr', async () => {
    expect(await migrate('check')).toEqual({ code: 0, stdout: ['entities and migrations agree'], stderr: '' });

    expect(await migrate('revert')).toEqual({ code: 0, stdout: [`reverted ${last}`], stderr: '' });

    const check = await migrate('check');
    expect(check.code).toBe(1);
    expect(check.stderr).toBe('');
    expect(check.stdout[0]).toBe(
      `not applied to database "${database}" yet: ${last} ("npm run migration:run" applies them)`,
    );
    expect(check.stdout.join('\n')).not.toContain('the migrations do not have');

    expect(await migrate('run')).toEqual({ code: 0, stdout: [`applied: ${last}`], stderr: '' });
    expect(await migrate('check')).toEqual({ code: 0, stdout: ['entities and migrations agree'], stderr: '' });
  }, 120_000);

  it('says which setting to check when the database is missing or unreachable, not only what the driver said', async () => {
    const missing = new URL(env.config.database.url);
    missing.pathname = `${missing.pathname}_missing`;
    for (const command of ['check', 'revert']) {
      const outcome = await migrate(command, { DATABASE_URL: missing.toString() });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr.trim()).toBe(
        `The database "${database}_missing" (DATABASE_URL) does not exist: check DATABASE_URL ` +
          '("npm run migration:run" or "npm start" creates it).',
      );
    }
    const closed = await migrate('check', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/^PostgreSQL is not reachable at 127\.0\.0\.1:1 \(DATABASE_URL\): .*ECONNREFUSED/);
  }, 60_000);
});
