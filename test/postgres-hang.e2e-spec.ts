import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { FreezableProxy } from './utils/freezable-proxy';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const PG_URL = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

/** The samples of a metric in a scrape (its `# HELP` and `# TYPE` lines aside). */
const samples = (text: string, metric: string): string[] =>
  text.split('\n').filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `));

/**
 * PostgreSQL that hangs: it keeps its connections and accepts new ones, but answers nothing (a frozen server, a
 * stalled network path). The app reaches it through a proxy the test freezes.
 */
describe('Postgres hanging', () => {
  const server = new URL(PG_URL);
  const proxy = new FreezableProxy(server.hostname, Number(server.port || 5432));
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    const port = await proxy.start();
    const url = new URL(`/ymera_test_pghang_${randomBytes(4).toString('hex')}`, PG_URL);
    url.port = String(port);
    env = new TestEnv({ DATABASE_URL: url.toString(), APP_ROLE: 'api' });
    await env.prepare();
    t = await createTestApp({ shared: env });
  });
  afterAll(async () => {
    proxy.thaw();
    await t?.close().catch(() => undefined);
    // The app was made on a shared environment, so its database and Redis keys are removed here.
    await env?.destroy().catch(() => undefined);
    await proxy.stop();
  });

  it('/metrics answers without the gauges read from Postgres, and readiness gives up on it within its bound', async () => {
    const before = (await request(t.http).get('/metrics').expect(200)).text;
    expect(samples(before, 'workflow_steps_waiting')).toEqual([
      'workflow_steps_waiting{kind="approval"} 0',
      'workflow_steps_waiting{kind="wait"} 0',
    ]);

    proxy.freeze();
    const during = (await request(t.http).get('/metrics').expect(200)).text;
    // Left out rather than shown stale; what Redis gives is there.
    expect(samples(during, 'workflow_steps_waiting')).toEqual([]);
    expect(during).toContain('# TYPE workflow_steps_waiting gauge');
    expect(samples(during, 'queue_jobs')).toContain('queue_jobs{queue="tasks",state="waiting"} 0');

    const ready = await request(t.http).get('/health/ready').expect(503);
    expect(ready.body.status).toBe('error');
    // Each check that reads the database is given up on at the one bound (CHECK_TIMEOUT_MS), none later.
    expect(ready.body.details).toEqual(
      expect.objectContaining({
        database: expect.objectContaining({ status: 'down', message: 'timeout of 1500ms exceeded' }),
        migrations: expect.objectContaining({ status: 'down', message: 'timeout of 1500ms exceeded' }),
        redis: expect.objectContaining({ status: 'up' }),
        queues: expect.objectContaining({ status: 'up' }),
      }),
    );
    await request(t.http).get('/health/live').expect(200);

    proxy.thaw();
    await waitFor(async () => (await request(t.http).get('/health/ready')).status === 200, 20_000);
    const after = (await request(t.http).get('/metrics').expect(200)).text;
    expect(samples(after, 'workflow_steps_waiting')).toHaveLength(2);
  });
});
