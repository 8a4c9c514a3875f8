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

  it('logs a line per request at the level its status deserves, with its request id and no query', async () => {
    const app = startProcess(processEnv(env, { PORT: '0', APP_ROLE: 'api', LOG_LEVEL: 'warn' }));
    try {
      const [, url] = await app.waitFor(/listening on (http:\/\/\S+)\/api\/v1/);
      await fetch(`${url}/health/live`);
      await fetch(`${url}/api/v1/nowhere?token=s3cret`, { headers: { 'X-Request-Id': 'req-log-404' } });
      const [line] = await app.waitFor(/\{[^\n]*"requestId":"req-log-404"[^\n]*\}/);
      expect(JSON.parse(line)).toEqual(
        expect.objectContaining({
          level: 40,
          msg: 'request completed',
          method: 'GET',
          url: '/api/v1/nowhere',
          statusCode: 404,
          responseTime: expect.any(Number),
        }),
      );
      expect(app.output()).not.toContain('s3cret');
      // A successful request is info, below LOG_LEVEL=warn; health probes are never logged.
      expect(app.output()).not.toContain('/health/live');
      expect(app.output().match(/request completed/g)).toHaveLength(1);
    } finally {
      await app.stop('SIGTERM');
    }
  }, 90_000);
});
