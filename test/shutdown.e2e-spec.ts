import { buildApp, processEnv, startProcess } from './utils/built-app';
import { TestEnv } from './utils/test-app';

describe('the built process', () => {
  const env = new TestEnv();

  beforeAll(() => buildApp(), 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  it('creates its database, serves, and on SIGTERM stops accepting and exits cleanly', async () => {
    const app = startProcess(processEnv(env, { PORT: '0', APP_ROLE: 'api', LOG_LEVEL: 'warn' }));
    const [, url] = await app.waitFor(/listening on (http:\/\/\S+)\/api\/v1/);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await app.stop('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  }, 90_000);
});
