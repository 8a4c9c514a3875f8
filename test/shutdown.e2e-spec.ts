import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { TestEnv } from './utils/test-app';

const ROOT = join(__dirname, '..');

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${seen}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    });
  });
}

describe('the built process', () => {
  const env = new TestEnv();

  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
    });
  }, 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  it('creates its database, serves, and on SIGTERM stops accepting and exits cleanly', async () => {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: env.config.database.url,
        REDIS_URL: env.config.redis.url,
        REDIS_PREFIX: env.config.redis.prefix,
        PORT: '0',
        APP_ROLE: 'api',
        LOG_LEVEL: 'warn',
        ADMIN_PASSWORD: 'admin-password-for-tests',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await waitForOutput(child, /listening on (http:\/\/\S+)\/api\/v1/, 60_000);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  }, 90_000);
});
