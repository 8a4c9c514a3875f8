import request from 'supertest';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/** The contract's answer to bad input: a 4xx in the error envelope, never a 5xx. */
function expectRefused(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.status).toBe('error');
}

function nested(depth: number, leaf = '1'): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

const TASK_BODY_LIMIT = 64 * 1024;

jest.setTimeout(30_000);

describe('Bad input gets a clear 4xx', () => {
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;
  let agentId: string;
  let recordsAgentId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { TASK_BODY_LIMIT: '64kb', TASK_BATCH_BODY_LIMIT: '256kb' } });
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    recordsAgentId = (await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  describe('paging and dates', () => {
    it.each([
      '/api/v1/tasks?skip=1e20',
      '/api/v1/tasks?skip=99999999999999999999',
      '/api/v1/audit-logs?skip=1e20',
      '/api/v1/workflows?skip=1e19',
      '/api/v1/tasks?createdAfter=%2B275760-09-13',
      '/api/v1/tasks?createdBefore=-271821-04-20',
      '/api/v1/audit-logs?from=%2B100000-01-01',
      '/api/v1/audit-logs?to=-000001-01-01',
      '/api/v1/tasks?skip=-0',
      '/api/v1/agents?limit=-00',
    ])('refuses %s with 400 VALIDATION_FAILED', async (url) => {
      const res = await request(t.http)
        .get(url)
        .set(...bearer(admin));
      expectRefused(res, 400, 'VALIDATION_FAILED');
    });

    it('accepts a deep page and a date range within bounds', async () => {
      await request(t.http)
        .get('/api/v1/tasks?skip=1000000&createdAfter=2000-01-01&createdBefore=9999-12-31')
        .set(...bearer(admin))
        .expect(200);
    });

    it('refuses a run time or expiry beyond year 9999 in a body', async () => {
      const task = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId, input: { expression: '1' }, runAt: '+275760-09-13T00:00:00.000Z' });
      expectRefused(task, 400, 'VALIDATION_FAILED');
      const key = await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(op))
        .send({ name: 'k', scopes: ['tasks:read'], expiresAt: '+275760-09-13T00:00:00.000Z' });
      expectRefused(key, 400, 'VALIDATION_FAILED');
    });

    it('refuses a config version beyond what a version number can be', async () => {
      const res = await request(t.http)
        .post(`/api/v1/agents/${agentId}/config/rollback`)
        .set(...bearer(op))
        .send({ version: 1e20 });
      expectRefused(res, 400, 'VALIDATION_FAILED');
    });

    it.each([true, '1', '0x1', ' 1 '])('refuses a config version sent as %j, and makes no version', async (version) => {
      const versions = async (): Promise<number> =>
        Number(
          (
            await t.dataSource.query(`SELECT count(*) AS n FROM agent_config_versions WHERE agent_id = $1`, [agentId])
          )[0].n,
        );
      const before = await versions();
      const res = await request(t.http)
        .post(`/api/v1/agents/${agentId}/config/rollback`)
        .set(...bearer(op))
        .send({ version });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe('/version');
      expect(await versions()).toBe(before);
    });
  });

  describe('deeply nested JSON', () => {
    it.each(['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh', '/api/v1/metrics/frontend'])(
      'refuses 3,000 levels on public %s with 400 before anything reads it',
      async (url) => {
        const res = await request(t.http)
          .post(url)
          .set('Content-Type', 'application/json')
          .send(`{"email":${nested(3000)}}`);
        expectRefused(res, 400, 'BAD_REQUEST');
        expect(res.body.error.message).toMatch(/nested more than 64 levels/);
      },
    );

    it('refuses a task input nested deeper than the limit, and accepts one just within it', async () => {
      const deep = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .send(`{"agentId":"${recordsAgentId}","input":{"records":[{"a":${nested(70)}}]}}`);
      expectRefused(deep, 400, 'BAD_REQUEST');
      // The body object, input, records, the record: 4 levels, then 60 arrays.
      await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .send(`{"agentId":"${recordsAgentId}","input":{"records":[{"a":${nested(60)}}]}}`)
        .expect(202);
    });

    it('counts depth inside strings correctly: brackets in strings are not nesting', async () => {
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId: recordsAgentId, input: { records: [{ text: '['.repeat(500) + '"\\{' }] } });
      expect(res.status).toBe(202);
    });
  });

  describe('NUL, lone surrogates and malformed percent-encoding', () => {
    it('refuses NUL in a query string, naming the parameter', async () => {
      const res = await request(t.http)
        .get('/api/v1/agents?q=a%00b')
        .set(...bearer(admin));
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([{ field: '/q', message: expect.stringMatching(/NUL|character/) }]);
    });

    it('refuses NUL and lone surrogates in body strings and keys, naming where', async () => {
      const nul = await request(t.http)
        .post('/api/v1/auth/register')
        .send({ email: 'nul@test.local', password: 'long-enough-password', name: 'a\u0000b' });
      expectRefused(nul, 400, 'VALIDATION_FAILED');
      expect(nul.body.error.details).toEqual([{ field: '/name', message: expect.any(String) }]);

      const surrogate = await request(t.http)
        .post('/api/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send('{"email":"s@test.local","password":"long-enough-password","name":"x\\ud800y"}');
      expectRefused(surrogate, 400, 'VALIDATION_FAILED');
      expect(surrogate.body.error.details[0].field).toBe('/name');

      const key = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId: recordsAgentId, input: { records: [{ 'k\u0000': 1 }] } });
      expectRefused(key, 400, 'VALIDATION_FAILED');
      expect(key.body.error.details[0].field).toBe('/input/records/0');
      expect(key.body.error.details[0].message).toMatch(/^has a key with NUL characters or unpaired UTF-16 /);
    });

    it('refuses a number beyond a double’s range (read as Infinity, it would be stored as null), naming where', async () => {
      for (const [literal, field] of [
        ['{"expression":"a+1","variables":{"a":1e400}}', '/input/variables/a'],
        ['{"expression":"1"},"metadata":{"cost":-1e309}', '/metadata/cost'],
      ]) {
        const res = await request(t.http)
          .post('/api/v1/tasks')
          .set(...bearer(op))
          .set('Content-Type', 'application/json')
          .send(`{"agentId":"${agentId}","input":${literal}}`);
        expectRefused(res, 400, 'VALIDATION_FAILED');
        expect(res.body.error.details).toEqual([{ field, message: expect.stringMatching(/^is a number beyond/) }]);
      }
      const [{ count }] = await t.dataSource.query<{ count: string }[]>(
        `SELECT count(*) FROM tasks WHERE input->'variables' ? 'a' OR metadata ? 'cost'`,
      );
      expect(count).toBe('0');
      // As large as a double holds, and as small: taken as they are.
      const held = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .send(
          `{"agentId":"${agentId}","input":{"expression":"a","variables":{"a":1.7976931348623157e308}},"metadata":{"tiny":1e-400}}`,
        )
        .expect(202);
      expect(held.body.data.input.variables.a).toBe(Number.MAX_VALUE);
    });

    it('refuses NUL in a failed login with 400, and the login audit still works', async () => {
      const res = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: 'x\u0000@test.local', password: 'whatever-password' });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      const wrong = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: 'ok-but-\u00e9\ud83d\ude00@test.local', password: 'whatever-password' });
      expectRefused(wrong, 401, 'UNAUTHENTICATED');
    });

    it.each([
      '/api/v1/tasks/%E0%A4%A',
      '/api/v1/agents/%ED%A0%80',
      '/api/v1/agents/%00',
      '/api/v1/tasks?status=%E0%A4%A',
      '/api/v1/agents?q=%E0%A4%A',
      '/api/v1/agents?q=%ED%A0%80',
    ])('refuses %s with 400', async (url) => {
      const res = await request(t.http)
        .get(url)
        .set(...bearer(admin));
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('error');
    });

    it.each(['/%E0%A4%A', '/tasks/%E0%A4%A', '/agents/%00'])(
      'answers %s, a console page, with the console (which says it has no such page), not JSON',
      async (url) => {
        const res = await request(t.http).get(url).set('Accept', 'text/html');
        // 200 with the console's document, or 503 with the page saying how to build it: HTML either way.
        expect([200, 503]).toContain(res.status);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      },
    );

    it.each(['//health/ready', '//api/v1/tasks', '/%2Fapi/v1/tasks'])(
      'answers %s, a reserved path spelt with a doubled or encoded slash, with a 404 in the envelope',
      async (url) => {
        const res = await request(t.http)
          .get(url)
          .set(...bearer(admin));
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
      },
    );

    it('keeps well-formed non-ASCII text', async () => {
      const res = await request(t.http)
        .post('/api/v1/auth/register')
        .send({ email: 'utf@test.local', password: 'long-enough-password', name: 'Zoë 😀 東京' });
      expect(res.status).toBe(201);
      expect(res.body.data.name).toBe('Zoë 😀 東京');
      await request(t.http)
        .get('/api/v1/agents?q=%C3%A9t%C3%A9')
        .set(...bearer(admin))
        .expect(200);
    });
  });

  describe('arrays nested in arrays', () => {
    it.each([[[{ agentId: '00000000-0000-4000-8000-000000000000', input: {} }]], [null], ['task'], [1], [[]]])(
      'refuses batch element %j',
      async (element) => {
        const res = await request(t.http)
          .post('/api/v1/tasks/batch')
          .set(...bearer(op))
          .send({ tasks: [element] });
        expectRefused(res, 400, 'VALIDATION_FAILED');
        expect(res.body.error.details[0]).toEqual({ field: '/tasks/0', message: 'must be an object' });
      },
    );

    it('refuses workflow steps that are arrays', async () => {
      const step = { id: 'a', agentId, input: {} };
      const res = await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: 'w', steps: [[step]] });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0]).toEqual({ field: '/steps/0', message: 'must be an object' });
    });
  });

  describe('null for fields that cannot be empty', () => {
    it('refuses {"name": null} on a user', async () => {
      const res = await request(t.http)
        .patch(`/api/v1/users/${op.id}`)
        .set(...bearer(admin))
        .send({ name: null });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe('/name');
    });

    it.each([{ name: null }, { status: null }, { concurrency: null }, { timeoutMs: null }])(
      'refuses agent change %j',
      async (body) => {
        const res = await request(t.http)
          .patch(`/api/v1/agents/${agentId}`)
          .set(...bearer(op))
          .send(body);
        expectRefused(res, 400, 'VALIDATION_FAILED');
      },
    );

    it.each([{ totp: null }, { recoveryCode: null }, { useCookie: null }])('refuses a login with %j', async (extra) => {
      const res = await request(t.http)
        .post('/api/v1/auth/login')
        .send({ email: 'admin@test.local', password: 'admin-password-for-tests', ...extra });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe(`/${Object.keys(extra)[0]}`);
    });

    // (A description of null is none: see workflows-definitions.e2e-spec.ts.)
    it.each([{ name: null }, { steps: null }])('refuses workflow change %j', async (body) => {
      const created = await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: 'w', steps: [{ id: 'a', agentId, input: { expression: '1' } }] })
        .expect(201);
      const res = await request(t.http)
        .patch(`/api/v1/workflows/${created.body.data.id}`)
        .set(...bearer(op))
        .send(body);
      expectRefused(res, 400, 'VALIDATION_FAILED');
    });
  });

  describe('null in a bulk request', () => {
    const bulkCount = async (): Promise<number> =>
      Number((await t.dataSource.query(`SELECT count(*) AS n FROM bulk_operations`))[0].n);

    it('refuses a workflow created with {"name": null}', async () => {
      const res = await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: null, steps: [{ id: 'a', agentId, input: { expression: '1' } }] });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe('/name');
    });

    it.each([
      ['/api/v1/tasks/bulk', { dryRun: null }, '/dryRun'],
      ['/api/v1/tasks/bulk', { all: null }, '/all'],
      ['/api/v1/workflow-runs/bulk', { dryRun: null }, '/dryRun'],
    ])('refuses %s with %j rather than acting for real, and starts nothing', async (url, extra, field) => {
      const before = await bulkCount();
      const res = await request(t.http)
        .post(url)
        .set(...bearer(op))
        .send({ action: 'cancel', filter: { tag: 'none-such' }, ...extra });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe(field);
      expect(await bulkCount()).toBe(before);
    });

    it.each([{ agentId: null }, { tag: null }, { createdAfter: null }])(
      'refuses a filter narrowed by %j: a null narrows by nothing, so it would reach every match',
      async (narrowing) => {
        const res = await request(t.http)
          .post('/api/v1/tasks/bulk')
          .set(...bearer(op))
          .send({ action: 'cancel', filter: narrowing, dryRun: true });
        expectRefused(res, 400, 'VALIDATION_FAILED');
        expect(res.body.error.details[0].field).toBe(`/filter/${Object.keys(narrowing)[0]}`);
      },
    );

    it('refuses a run filter narrowed by {"workflowId": null}', async () => {
      const res = await request(t.http)
        .post('/api/v1/workflow-runs/bulk')
        .set(...bearer(op))
        .send({ action: 'cancel', filter: { workflowId: null }, dryRun: true });
      expectRefused(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details[0].field).toBe('/filter/workflowId');
    });
  });

  describe('values every list shows whole', () => {
    const countTasks = async (): Promise<number> =>
      Number((await t.dataSource.query(`SELECT count(*) AS n FROM tasks`))[0].n);
    const metadataOf = (bytes: number): Record<string, string> => ({ note: 'x'.repeat(bytes - '{"note":""}'.length) });

    it('refuses task metadata over 16 KiB as JSON, alone or in a batch, and stores nothing', async () => {
      const before = await countTasks();
      const task = (bytes: number) => ({ agentId, input: { expression: '1' }, metadata: metadataOf(bytes) });
      const over = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send(task(16 * 1024 + 1));
      expectRefused(over, 400, 'VALIDATION_FAILED');
      expect(over.body.error.details).toEqual([{ field: '/metadata', message: expect.stringMatching(/16 KiB/) }]);
      const batch = await request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({ tasks: [task(100), task(16 * 1024 + 1)] });
      expectRefused(batch, 400, 'VALIDATION_FAILED');
      expect(batch.body.error.details[0].field).toBe('/tasks/1/metadata');
      expect(await countTasks()).toBe(before);
      await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send(task(16 * 1024))
        .expect(202);
    });

    it('refuses an agent config over 64 KiB as JSON, on create and on change, and a name ending in a space', async () => {
      const config = { pipeline: [], note: 'x'.repeat(64 * 1024) };
      const body = { name: 'big-config', type: 'data-processor', config };
      const create = await request(t.http)
        .post('/api/v1/agents')
        .set(...bearer(op))
        .send(body);
      expectRefused(create, 400, 'VALIDATION_FAILED');
      expect(create.body.error.details[0].field).toBe('/config');
      const change = await request(t.http)
        .post(`/api/v1/agents/${recordsAgentId}/config`)
        .set(...bearer(op))
        .send({ config });
      expectRefused(change, 400, 'VALIDATION_FAILED');
      const spaced = await request(t.http)
        .post('/api/v1/agents')
        .set(...bearer(op))
        .send({ name: 'look-alike ', type: 'calculator' });
      expectRefused(spaced, 400, 'VALIDATION_FAILED');
      const [row] = await t.dataSource.query(`SELECT config_version FROM agents WHERE id = $1`, [recordsAgentId]);
      expect(row.config_version).toBe(1);
      const names = await t.dataSource.query(`SELECT 1 FROM agents WHERE name IN ('big-config', 'look-alike ')`);
      expect(names).toEqual([]);
    });
  });

  describe('task body limits', () => {
    function taskOfSize(bytes: number): string {
      const head = `{"agentId":"${recordsAgentId}","input":{"records":[{"pad":"`;
      const tail = '"}]}}';
      return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
    }

    it('accepts a submission just under TASK_BODY_LIMIT and refuses one over it with 413', async () => {
      await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .send(taskOfSize(TASK_BODY_LIMIT - 16))
        .expect(202);
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .send(taskOfSize(TASK_BODY_LIMIT + 16));
      expectRefused(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('gives a batch its own, larger limit', async () => {
      const one = JSON.parse(taskOfSize(TASK_BODY_LIMIT - 16)) as unknown;
      await request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({ tasks: [one, one] })
        .expect(202);
      const res = await request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({ tasks: [one, one, one, one, one] });
      expectRefused(res, 413, 'PAYLOAD_TOO_LARGE');
    });
  });
});
