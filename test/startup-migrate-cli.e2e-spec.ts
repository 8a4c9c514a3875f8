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
  async function migrate(command: string): Promise<Outcome> {
    let stdout = '';
    let stderr = '';
    const tool = startCommand(process.execPath, ['dist/src/cli/migrate.js', command], {
      PATH: process.env.PATH,
      ...env.vars,
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
});
