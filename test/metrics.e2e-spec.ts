import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe('Prometheus metrics at /metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const scrape = async () =>
    (await request(t.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;

  it('needs the metrics token when one is set', async () => {
    const res = await request(t.http).get('/metrics').expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    await request(t.http).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
  });

  it('counts requests by route template, tasks by type and status, and reads the queue when scraped', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '2 + 2' } });
    await settled(t, op, task.id);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(op))
      .expect(200);
    await request(t.http).get('/api/v1/auth/me').set('Authorization', 'Bearer not-a-token').expect(401);
    // The console's: a page (served, or 503 without a build) and a file it does not have.
    const page = await request(t.http).get(`/tasks/${task.id}`);
    expect([200, 503]).toContain(page.status);
    await request(t.http).get(`/nowhere/${task.id}.json`).expect(404);
    // What nothing answers: no route, and not the console's (it answers GET and HEAD only).
    await request(t.http).post(`/nowhere/${task.id}`).expect(404);

    const text = await scrape();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/tasks\/:id",status="200"\} \d+/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/api\/v1\/tasks\/:id",status="200"\}/,
    );
    expect(text).toMatch(new RegExp(`http_requests_total\\{method="GET",route="console",status="${page.status}"\\} 1`));
    expect(text).toMatch(/http_requests_total\{method="GET",route="console",status="404"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="unmatched",status="404"\} 1/);
    expect(text).not.toMatch(/route="unmatched",status="200"/);
    expect(text).not.toContain(task.id);
    expect(text).toMatch(/tasks_total\{agent_type="calculator",status="succeeded"\} 1/);
    expect(text).toMatch(/task_duration_seconds_count\{agent_type="calculator",status="succeeded"\} 1/);
    expect(text).toMatch(/queue_jobs\{queue="tasks",state="waiting"\} 0/);
    expect(text).toMatch(/ws_connections 0/);
    expect(text).toMatch(/auth_failures_total\{reason="invalid_credentials"\} \d+/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  // .ci/run provides promtool (scripts/promtool.sh); elsewhere set PROMTOOL to run this check.
  const promtool = process.env.PROMTOOL;
  (promtool ? it : it.skip)('passes promtool check metrics', async () => {
    const text = await scrape();
    const result = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('is exempt from rate limits, and documented as text behind its own token', async () => {
    for (let i = 0; i < 5; i += 1)
      await request(t.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const doc = await request(t.http).get('/docs-json').expect(200);
    const operation = doc.body.paths['/metrics'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/plain']);
    expect(operation.responses['401']).toBeDefined();
    expect(operation.security).toEqual(expect.arrayContaining([{ metricsToken: [] }, {}]));
    expect(doc.body.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('system info', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('tells admins the version, role, queues and workers', async () => {
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const res = await request(t.http)
      .get('/api/v1/system/info')
      .set(...bearer(admin))
      .expect(200);
    expect(res.body.data).toEqual({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptimeSeconds: expect.any(Number),
      role: 'all',
      nodeVersion: process.version,
      queues: expect.objectContaining({ tasks: expect.objectContaining({ waiting: 0, active: 0, failed: 0 }) }),
      workers: 1,
      wsConnections: 0,
    });
    const operator = await createUser(t, 'operator');
    await request(t.http)
      .get('/api/v1/system/info')
      .set(...bearer(operator))
      .expect(403);
  });
});
