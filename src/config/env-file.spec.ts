import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvFile } from './env-file';

describe('loadEnvFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ymera-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .env from the working directory; the environment wins over the file', () => {
    writeFileSync(join(dir, '.env'), '# settings\nPORT=4000\nREDIS_PREFIX="from file"\nLOG_LEVEL=debug\n');
    const env: NodeJS.ProcessEnv = { PORT: '5000' };
    expect(loadEnvFile(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ PORT: '5000', REDIS_PREFIX: 'from file', LOG_LEVEL: 'debug' });
  });

  it('does nothing without a file', () => {
    const env: NodeJS.ProcessEnv = { PORT: '5000' };
    expect(loadEnvFile(env, dir)).toBeUndefined();
    expect(env).toEqual({ PORT: '5000' });
  });

  it('reads the file ENV_FILE names, and refuses one that is missing', () => {
    writeFileSync(join(dir, 'prod.env'), 'APP_ROLE=worker\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: 'prod.env' };
    loadEnvFile(env, dir);
    expect(env.APP_ROLE).toBe('worker');
    expect(() => loadEnvFile({ ENV_FILE: 'missing.env' }, dir)).toThrow(/ENV_FILE=missing\.env: no such file/);
  });
});
