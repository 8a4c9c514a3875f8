import { buildApp, processEnv, startProcess } from './utils/built-app';
import { LoopbackServer } from './utils/loopback-server';
import { TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

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

  it('ends its open event streams on SIGTERM and exits cleanly, without waiting for them', async () => {
    const app = startProcess(processEnv(env, { PORT: '0', APP_ROLE: 'api', LOG_LEVEL: 'warn' }));
    try {
      const [, url] = await app.waitFor(/listening on (http:\/\/\S+)\/api\/v1/);
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: env.config.auth.adminEmail, password: env.config.auth.adminPassword }),
      });
      const { accessToken } = ((await login.json()) as { data: { accessToken: string } }).data;
      const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
      const agent = await fetch(`${url}/api/v1/agents`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'watched', type: 'calculator' }),
      });
      const { id } = ((await agent.json()) as { data: { id: string } }).data;
      // An agent's stream never ends on its own.
      const stream = await fetch(`${url}/api/v1/agents/${id}/events`, { headers: auth });
      expect(stream.status).toBe(200);
      const body = stream.body!.getReader();
      const exit = app.stop('SIGTERM');
      // The stream ends (its client would connect again elsewhere), and the process exits 0, not at its deadline.
      while (!(await body.read()).done);
      expect(await exit).toBe(0);
    } finally {
      await app.stop('SIGKILL');
    }
  }, 90_000);

  it('exits at once with 130 on a second signal while the first waits for a running task, not on a repeat of the first', async () => {
    const remote = new LoopbackServer();
    remote.handler = () => undefined; // never answers: the task keeps running
    const remoteUrl = await remote.start();
    const app = startProcess(
      processEnv(env, { PORT: '0', APP_ROLE: 'all', LOG_LEVEL: 'warn', AGENT_ALLOW_PRIVATE_NETWORKS: 'true' }),
    );
    try {
      const [, url] = await app.waitFor(/listening on (http:\/\/\S+)\/api\/v1/);
      const call = async (path: string, body?: unknown, token?: string) => {
        const res = await fetch(`${url}/api/v1${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return ((await res.json()) as { data: Record<string, string> }).data;
      };
      const { accessToken } = await call('/auth/login', {
        email: env.config.auth.adminEmail,
        password: env.config.auth.adminPassword,
      });
      const agent = await call('/agents', { name: 'held', type: 'http', config: { url: remoteUrl } }, accessToken);
      const task = await call('/tasks', { agentId: agent.id, input: {} }, accessToken);
      await waitFor(async () => (await call(`/tasks/${task.id}`, undefined, accessToken)).status === 'running');
      // Ctrl-C on `npm start`: the terminal's SIGINT and npm's copy of it, a few milliseconds apart, are one
      // request to stop gracefully...
      app.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 20));
      app.child.kill('SIGINT');
      // ...which waits for the running task (up to SHUTDOWN_TIMEOUT_MS)...
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(app.child.exitCode).toBeNull();
      // ...the second does not.
      expect(await app.stop('SIGTERM')).toBe(130);
    } finally {
      await app.stop('SIGKILL');
      await remote.stop();
    }
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
