import request from 'supertest';
import { createAgent, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { badInputProbes, expectRefused } from './utils/bad-input';
import { createTestApp, type TestApp } from './utils/test-app';

jest.setTimeout(30_000);

/**
 * Keys no handler reads get a 400, wherever they are: in the query of a route that takes none, or named like what
 * every object inherits inside a nested object of a body (class-transformer would drop them unseen).
 */
describe('Keys a route does not read are refused', () => {
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    await submitTask(t, op, {
      agentId,
      input: { expression: '1' },
      runAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  const { statuses, count, raw } = badInputProbes(() => t);

  it.each([
    ['/api/v1/tasks?limit=10&limit=20', '/limit'],
    ['/api/v1/agents?q=a&q=b', '/q'],
    ['/api/v1/tasks?status=queued&status=running', '/status'],
  ])('says %s gives a parameter more than once', async (url, field) => {
    const res = await request(t.http)
      .get(url)
      .set(...bearer(op));
    expectRefused(res, field);
    expect(res.body.error.details).toEqual([{ field, message: 'is given more than once: give it once' }]);
  });

  it('takes a list parameter given more than once, each time comma-separated or not', async () => {
    const actionsOf = async (query: string) =>
      (
        (
          await request(t.http)
            .get(`/api/v1/audit-logs?limit=200${query}`)
            .set(...bearer(admin))
            .expect(200)
        ).body.data as { action: string }[]
      ).map((e) => e.action);
    const all = await actionsOf('');
    const other = all.find((a) => a !== 'auth.login')!;
    expect(all).toContain('auth.login');
    const left = all.filter((a) => a !== 'auth.login' && a !== other);
    expect(await actionsOf(`&excludeAction=auth.refresh&excludeAction=auth.login&excludeAction=${other}`)).toEqual(
      left,
    );
    expect(await actionsOf(`&excludeAction=auth.refresh,auth.login&excludeAction=${other}`)).toEqual(left);
    expect(await actionsOf(`&excludeAction=${other}&excludeAction=auth.refresh,auth.login`)).toEqual(left);
  });

  it.each([
    ['/api/v1/audit-logs?excludeAction=', '/excludeAction/0'],
    ['/api/v1/audit-logs?excludeAction=auth.login,', '/excludeAction/1'],
    ['/api/v1/audit-logs?action=', '/action'],
    ['/api/v1/audit-logs?resourceType=', '/resourceType'],
    ['/api/v1/audit-logs?resourceId=', '/resourceId'],
  ])('says an empty filter %s "must not be empty"', async (url, field) => {
    const res = await request(t.http)
      .get(url)
      .set(...bearer(admin));
    expectRefused(res, field);
    expect(res.body.error.details).toEqual([{ field, message: 'must not be empty' }]);
  });

  it('reads every pair of a long query: what follows 1000 empty pairs is still validated and applied', async () => {
    const pad = '&'.repeat(1000);
    for (const [query, field] of [
      ['limit=0', '/limit'],
      ['nope=1', '/nope'],
    ]) {
      const res = await request(t.http)
        .get(`/api/v1/tasks?${pad}${query}`)
        .set(...bearer(op));
      expectRefused(res, field);
    }
    const filtered = await request(t.http)
      .get(`/api/v1/tasks?${pad}status=failed`)
      .set(...bearer(op))
      .expect(200);
    expect(filtered.body.meta.total).toBe(0);
  });

  it('names a key with a space as any unknown key', async () => {
    const res = await request(t.http)
      .get('/api/v1/agents?limit%20=5')
      .set(...bearer(op));
    expect(res.body.error.details).toEqual([{ field: '/limit ', message: 'is not allowed' }]);
  });

  it.each([['2026-12-06T16:25:00'], ['2026-12-06T16:25'], ['2026-12-06T16:25:00.123']])(
    'refuses a date-time without its offset (%s): it would be read in the server’s own time zone',
    async (value) => {
      const res = await request(t.http)
        .get(`/api/v1/tasks?createdAfter=${value}`)
        .set(...bearer(op));
      expectRefused(res, '/createdAfter');
      expect(res.body.error.details[0].message).toMatch(/with its offset/);
    },
  );

  it.each([['2026-12-06T16:25:00Z'], ['2026-12-06T16:25:00%2B05:30'], ['2026-12-06T16:25:00-0800'], ['2026-12-06']])(
    'takes a date-time with its offset, or a day (%s)',
    async (value) => {
      await request(t.http)
        .get(`/api/v1/tasks?createdAfter=${value}`)
        .set(...bearer(op))
        .expect(200);
    },
  );

  describe('query keys of a route that takes no query', () => {
    it.each([
      ['/api/v1/stats?__proto__=1', '/__proto__'],
      ['/api/v1/stats?constructor=x', '/constructor'],
      ['/api/v1/system/info?toString=1', '/toString'],
      ['/api/v1/auth/me?x=1', '/x'],
      ['/api/v1/agent-types?scope=all', '/scope'],
    ])('refuses GET %s, naming %s', async (url, field) => {
      const res = await request(t.http)
        .get(url)
        .set(...bearer(admin));
      expectRefused(res, field);
      expect(res.body.error.details).toEqual([{ field, message: 'is not allowed' }]);
    });

    it("refuses one on an agent's page and on a task cancel, which changes nothing", async () => {
      expectRefused(
        await request(t.http)
          .get(`/api/v1/agents/${agentId}?__proto__=1`)
          .set(...bearer(op)),
        '/__proto__',
      );
      const [task] = await statuses();
      const res = await request(t.http)
        .post(`/api/v1/tasks/${task.id}/cancel?force=true`)
        .set(...bearer(op));
      expectRefused(res, '/force');
      expect(await statuses()).toContainEqual(task);
      // Refused like a bad body: audited as the route's failure.
      await t.chainAudit();
      const entries = await t.dataSource.query(
        `SELECT outcome, details->>'error' AS error FROM audit_logs WHERE action = 'task.cancel' AND resource_id = $1`,
        [task.id],
      );
      expect(entries).toEqual([{ outcome: 'failure', error: 'VALIDATION_FAILED' }]);
    });

    it('refuses a body sent to a route that takes none, changing nothing; takes an empty object', async () => {
      const [task] = await statuses();
      const cancel = `/api/v1/tasks/${task.id}/cancel`;
      for (const [body, details] of [
        ['{"force":true}', [{ field: '/force', message: 'is not allowed' }]],
        [
          '{"__proto__":{"x":1},"constructor":1}',
          ['/__proto__', '/constructor'].map((field) => ({ field, message: 'is not allowed' })),
        ],
        ['[1,2]', [{ field: '', message: 'is not allowed: this route takes no body' }]],
      ] as const) {
        const res = await raw(op, cancel, body);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual(details);
      }
      expect(await statuses()).toContainEqual(task);
      // Refused like a bad body: audited as the route's failure.
      await t.chainAudit();
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'task.cancel' AND resource_id = $1 AND outcome = 'failure'`,
        [task.id],
      );
      expect(n).toBeGreaterThanOrEqual(3);
      // A route that takes no body and changes nothing refuses one too.
      const setup = await raw(op, '/api/v1/auth/mfa/setup', '{"constructor":{"prototype":{"x":1}}}');
      expect(setup.status).toBe(400);
      expect(setup.body.error.details).toEqual([{ field: '/constructor', message: 'is not allowed' }]);
      // A route that reads a query object (a list) but no body refuses one too.
      const list = await request(t.http)
        .get('/api/v1/tasks?limit=5')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .send('{"status":"failed"}');
      expectRefused(list, '/status');
      expect((await raw(op, cancel, '{}')).status).toBe(200);
      expect((await statuses()).find((s) => s.id === task.id)?.status).toBe('cancelled');
    });

    it('takes the keys a route names, refuses the others, and leaves probes and metrics alone', async () => {
      const upload = (query: string) =>
        request(t.http)
          .post(`/api/v1/files${query}`)
          .set(...bearer(op))
          .set('Content-Type', 'application/x-ndjson')
          .send('{"a":1}\n');
      expect((await upload('?name=ok.ndjson')).status).toBe(201);
      expectRefused(await upload('?name=ok.ndjson&size=1'), '/size');
      await request(t.http).get('/health/ready?_=1').expect(200);
      await request(t.http).get('/health/live?probe=k8s').expect(200);
      await request(t.http).get('/metrics?x=1').expect(200);
    });
  });

  describe('inherited names in nested objects', () => {
    const step = () => ({ id: 'a', agentId, input: { expression: '1' } });
    it.each<[string, string, (key: string) => string, string]>([
      [
        'a task bulk filter',
        '/api/v1/tasks/bulk',
        (k) => `{"action":"retry","filter":{"agentId":"${agentId}","${k}":{"status":"succeeded"}},"dryRun":true}`,
        '/filter/',
      ],
      [
        'a run bulk filter',
        '/api/v1/workflow-runs/bulk',
        (k) => `{"action":"retry","filter":{"${k}":"x"},"dryRun":true}`,
        '/filter/',
      ],
      [
        'a workflow step',
        '/api/v1/workflows',
        (k) => `{"name":"nested-${k}","steps":[${JSON.stringify(step()).slice(0, -1)},"${k}":{}}]}`,
        '/steps/0/',
      ],
      [
        'a trigger',
        '/api/v1/workflows',
        (k) =>
          `{"name":"trig-${k}","steps":[${JSON.stringify(step())}],"triggers":[{"on":"task.succeeded","agentId":"${agentId}","${k}":1}]}`,
        '/triggers/0/',
      ],
      [
        'a schedule target',
        '/api/v1/schedules',
        (k) =>
          `{"name":"sched-${k}","everyMs":60000,"paused":true,"target":{"agentId":"${agentId}","input":{"expression":"1"},"${k}":1}}`,
        '/target/',
      ],
      [
        'a hook target',
        '/api/v1/hooks',
        (k) => `{"name":"hook-${k}","auth":"hmac","target":{"agentId":"${agentId}","${k}":1}}`,
        '/target/',
      ],
    ])('refuses %s keyed __proto__, constructor or toString, writing nothing', async (_, url, body, at) => {
      const tables = ['workflows', 'schedules', 'inbound_hooks', 'bulk_operations'];
      const before = await Promise.all(tables.map(count));
      for (const key of ['__proto__', 'constructor', 'toString']) {
        const res = await raw(op, url, body(key));
        expectRefused(res, `${at}${key}`);
        expect(res.body.error.details).toContainEqual({ field: `${at}${key}`, message: 'is not allowed' });
      }
      expect(await Promise.all(tables.map(count))).toEqual(before);
    });

    it('takes such keys inside free-form JSON: a task input is data, not a DTO', async () => {
      const processor = (await createAgent(t, op, { type: 'data-processor' })).id;
      const res = await raw(
        op,
        '/api/v1/tasks',
        `{"agentId":"${processor}","input":{"records":[{"constructor":1,"toString":"x"}],"pipeline":[]}}`,
      );
      expect(res.status).toBe(202);
    });
  });
});
