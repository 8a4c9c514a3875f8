import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { badInputProbes, expectRefused } from './utils/bad-input';
import { createTestApp, type TestApp } from './utils/test-app';

jest.setTimeout(30_000);

describe('Keys every object inherits, impossible dates and inverted ranges get a 400', () => {
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;
  let agentId: string;
  const later = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    for (let i = 0; i < 3; i += 1)
      await submitTask(t, op, { agentId, input: { expression: '1' }, runAt: later(), metadata: { batch: 'b1' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  const { statuses, count, raw } = badInputProbes(() => t);

  describe('metadata filters', () => {
    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'])(
      'refuses a bulk filter keyed %s, cancelling nothing',
      async (key) => {
        const [tasks, operations] = [await statuses(), await count('bulk_operations')];
        for (const user of [op, admin]) {
          const res = await raw(user, '/api/v1/tasks/bulk', `{"action":"cancel","filter":{"metadata":{"${key}":"x"}}}`);
          expectRefused(res, '/filter/metadata');
          expect(res.body.error.details).toEqual([
            { field: '/filter/metadata', message: `must not use the key ${key}` },
          ]);
        }
        expect(await statuses()).toEqual(tasks);
        expect(await count('bulk_operations')).toBe(operations);
      },
    );

    it('refuses an empty metadata filter in a bulk request, even with a status', async () => {
      const [tasks, operations] = [await statuses(), await count('bulk_operations')];
      for (const filter of [{ metadata: {} }, { metadata: {}, status: 'queued' }]) {
        const res = await raw(op, '/api/v1/tasks/bulk', JSON.stringify({ action: 'cancel', filter }));
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
      expect(await statuses()).toEqual(tasks);
      expect(await count('bulk_operations')).toBe(operations);
    });

    it('says what a bulk metadata filter takes in the words of a body, not of a query string', async () => {
      for (const metadata of [{ k: ['v'] }, { k: { $ne: 1 } }, { "k'--": 'v' }]) {
        const res = await raw(op, '/api/v1/tasks/bulk', JSON.stringify({ action: 'cancel', filter: { metadata } }));
        expectRefused(res, '/filter/metadata');
        expect(res.body.error.details).toEqual([
          { field: '/filter/metadata', message: expect.stringContaining('in a body: an object of strings') },
        ]);
      }
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'])(
      'refuses metadata.%s in the task list, and still takes a plain key',
      async (key) => {
        // Dotted, or as OpenAPI's deepObject style sends it.
        for (const param of [`metadata.${key}`, `metadata[${key}]`]) {
          const res = await request(t.http)
            .get(`/api/v1/tasks?${param}=x`)
            .set(...bearer(admin));
          expectRefused(res, '/metadata');
          expect(res.body.error.details).toEqual([{ field: '/metadata', message: `must not use the key ${key}` }]);
        }
        const twice = await request(t.http)
          .get('/api/v1/tasks?metadata.batch=b1&metadata[batch]=b2')
          .set(...bearer(op));
        expectRefused(twice, '/metadata');
        for (const param of ['metadata.batch', 'metadata[batch]']) {
          const plain = await request(t.http)
            .get(`/api/v1/tasks?${param}=b1`)
            .set(...bearer(op))
            .expect(200);
          expect(plain.body.meta.total).toBe(3);
        }
      },
    );
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses a task body with a top-level %s key', async (key) => {
    const before = await count('tasks');
    const res = await raw(op, '/api/v1/tasks', `{"agentId":"${agentId}","input":{"expression":"1"},"${key}":{}}`);
    expectRefused(res, `/${key}`);
    // Named once, though both the whitelist and the check of inherited names refuse it.
    expect(res.body.error.details).toEqual([{ field: `/${key}`, message: 'is not allowed' }]);
    expect(await count('tasks')).toBe(before);
  });

  describe('dates', () => {
    it.each<[string | number, string]>([
      ['2030-02-30T00:00:00Z', 'Feb 30'],
      ['2031-02-29T00:00:00Z', 'Feb 29 of a common year'],
      [12345, 'a number'],
      ['2030-01-01 00:00:00Z', 'a space for T'],
    ])('refuses runAt %p (%s), storing nothing', async (runAt) => {
      const before = await count('tasks');
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId, input: { expression: '1' }, runAt });
      expectRefused(res, '/runAt');
      expect(await count('tasks')).toBe(before);
    });

    it('still takes a leap day', async () => {
      await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId, input: { expression: '1' }, runAt: '2032-02-29T00:00:00Z' })
        .expect(202);
    });

    it.each(['0001-01-01T00:00:00Z', '0048-02-29T00:00:00Z', '0099-12-31T23:59:59Z', '0999-12-31T00:00:00Z'])(
      'takes %s, a day of the years 0001-0999, in the task list',
      async (date) => {
        await request(t.http)
          .get(`/api/v1/tasks?createdAfter=${date}`)
          .set(...bearer(op))
          .expect(200);
      },
    );

    it.each(['0049-02-29T00:00:00Z', '0100-02-29T00:00:00Z', '0001-04-31T00:00:00Z'])(
      'refuses %s, a day that does not exist in the early years',
      async (date) => {
        const res = await request(t.http)
          .get(`/api/v1/tasks?createdAfter=${date}`)
          .set(...bearer(op));
        expectRefused(res, '/createdAfter');
      },
    );

    it.each(['createdAfter=2024-02-30T00:00:00Z', 'createdAfter=1', 'createdBefore=20240101'])(
      'refuses %s in the task list',
      async (query) => {
        const res = await request(t.http)
          .get(`/api/v1/tasks?${query}`)
          .set(...bearer(op));
        expectRefused(res, `/${query.split('=')[0]}`);
      },
    );
  });

  describe('inverted ranges', () => {
    it.each(['/api/v1/tasks', '/api/v1/workflow-runs'])(
      'refuses createdAfter later than createdBefore on %s',
      async (url) => {
        const res = await request(t.http)
          .get(`${url}?createdAfter=2030-01-01T00:00:00Z&createdBefore=2020-01-01T00:00:00Z`)
          .set(...bearer(op));
        expectRefused(res, '/createdBefore');
      },
    );

    it.each([
      ['fromSeq=100&toSeq=1', '/toSeq'],
      ['from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', '/to'],
    ])('refuses the audit verification range %s', async (query, field) => {
      const res = await request(t.http)
        .get(`/api/v1/audit-logs/verify?${query}`)
        .set(...bearer(admin));
      expectRefused(res, field);
    });

    it('refuses an inverted audit log list range, and takes ranges of one point', async () => {
      const res = await request(t.http)
        .get('/api/v1/audit-logs?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z')
        .set(...bearer(admin));
      expectRefused(res, '/to');
      await request(t.http)
        .get('/api/v1/audit-logs/verify?fromSeq=1&toSeq=1')
        .set(...bearer(admin))
        .expect(200);
      await request(t.http)
        .get('/api/v1/tasks?createdAfter=2020-01-01T00:00:00Z&createdBefore=2020-01-01T00:00:00Z')
        .set(...bearer(op))
        .expect(200);
    });
  });

  describe("a data-processor pipeline's field paths", () => {
    const pipelines: [string, unknown[]][] = [
      ['/input/pipeline/0/group/by/0', [{ group: { by: ['__proto__.polluted'], aggregates: { n: { op: 'count' } } } }]],
      ['/input/pipeline/0/group/by', [{ group: { by: 'a.constructor', aggregates: {} } }]],
      ['/input/pipeline/0/select/fields/1', [{ select: { fields: ['a', 'prototype.x'] } }]],
      ['/input/pipeline/0/sort/by', [{ sort: { by: '__proto__' } }]],
      ['/input/pipeline/0/dedupe/by', [{ dedupe: { by: '__proto__.x' } }]],
      [
        '/input/pipeline/0/group/aggregates/n/field',
        [{ group: { by: 'a', aggregates: { n: { op: 'sum', field: 'constructor' } } } }],
      ],
    ];

    it.each(pipelines)(
      'refuses a path through an object’s machinery at %s, and stores nothing',
      async (field, pipeline) => {
        const agent = await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } });
        const tasks = await count('tasks');
        const res = await request(t.http)
          .post('/api/v1/tasks')
          .set(...bearer(op))
          .send({ agentId: agent.id, input: { records: [{ a: 1 }], pipeline } });
        expectRefused(res, field);
        expect(res.body.error.details).toContainEqual({
          field,
          message: 'must not name __proto__, prototype or constructor',
        });
        expect(await count('tasks')).toBe(tasks);
      },
    );

    it('refuses an aggregate named __proto__, and the same pipeline saved in an agent’s config', async () => {
      const agent = await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } });
      const body = `{"agentId":"${agent.id}","input":{"records":[{"a":1}],"pipeline":[{"group":{"by":"a","aggregates":{"__proto__":{"op":"count"}}}}]}}`;
      expectRefused(await raw(op, '/api/v1/tasks', body), '/input/pipeline/0/group/aggregates/__proto__');
      const config = await request(t.http)
        .post('/api/v1/agents')
        .set(...bearer(op))
        .send({ name: 'grouped', type: 'data-processor', config: { pipeline: pipelines[0][1] } });
      expect({ status: config.status, code: config.body.error?.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    });

    it('still groups, selects and sorts by ordinary nested paths', async () => {
      const agent = await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } });
      const records = [
        { c: { k: 'x' }, v: 2 },
        { c: { k: 'y' }, v: 1 },
        { c: { k: 'x' }, v: 3 },
      ];
      const pipeline = [
        { group: { by: 'c.k', aggregates: { total: { op: 'sum', field: 'v' } } } },
        { sort: { by: 'c.k' } },
      ];
      const task = await submitTask(t, op, { agentId: agent.id, input: { records, pipeline } });
      const done = await settled(t, op, task.id);
      expect(done.status).toBe('succeeded');
      expect(JSON.stringify(done.output)).toContain('"total":5');
    });
  });
});
