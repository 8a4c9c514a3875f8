import request from 'supertest';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

function expectRefused(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.status).toBe('error');
}

describe('Bad input gets a clear 4xx: names and encodings', () => {
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('names shown to people', () => {
    const hostile = [
      'two\nlines',
      'bell\u0007',
      'invoice\u202Efdp.exe',
      'isolate\u2066x\u2069',
      'c1\u0085',
      'line\u2028separator',
      'zero\u200Bwidth',
      'mark\u200Fed',
      'soft\u00ADhyphen',
      '\u3164',
      'a\u2062b',
    ];

    it.each(hostile)('refuses %j as a workflow, schedule, user, key or file name, storing nothing', async (name) => {
      const counts = async () =>
        (
          await t.dataSource.query(
            `SELECT (SELECT count(*) FROM workflows) + (SELECT count(*) FROM schedules) + (SELECT count(*) FROM users)
                  + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM files) AS n`,
          )
        )[0].n as string;
      const before = await counts();
      const step = { id: 's', agentId, input: { expression: '1' } };
      const sends = [
        request(t.http)
          .post('/api/v1/workflows')
          .set(...bearer(op))
          .send({ name, steps: [step] }),
        request(t.http)
          .post('/api/v1/schedules')
          .set(...bearer(op))
          .send({ name, target: { agentId, input: { expression: '1' } }, everyMs: 60_000 }),
        request(t.http)
          .post('/api/v1/users')
          .set(...bearer(admin))
          .send({ email: `n${Date.now()}@example.com`, password: 'a long enough password', name, role: 'viewer' }),
        request(t.http)
          .post('/api/v1/auth/register')
          .send({
            email: `r${Date.now()}@example.com`,
            password: 'a long enough password',
            name,
          }),
        request(t.http)
          .post('/api/v1/api-keys')
          .set(...bearer(op))
          .send({ name, scopes: ['agents:read'] }),
        request(t.http)
          .post(`/api/v1/files?name=${encodeURIComponent(name)}`)
          .set(...bearer(op))
          .set('Content-Type', 'application/x-ndjson')
          .send('{"a":1}\n'),
      ];
      for (const res of await Promise.all(sends)) {
        expectRefused(res, 400, 'VALIDATION_FAILED');
        expect(res.body.error.details).toContainEqual({
          field: '/name',
          message: 'must not contain control characters, bidirectional controls or invisible characters',
        });
      }
      expect(await counts()).toBe(before);
    });

    it.each(hostile.filter((text) => !text.includes('\n')))(
      'refuses %j in an agent’s or a workflow’s description, created or changed, storing nothing',
      async (description) => {
        const rule = 'must not contain control characters, bidirectional controls or invisible characters';
        const workflowId = (
          await request(t.http)
            .post('/api/v1/workflows')
            .set(...bearer(op))
            .send({ name: 'described', steps: [{ id: 's', agentId, input: { expression: '1' } }] })
            .expect(201)
        ).body.data.id as string;
        const sends = [
          request(t.http)
            .post('/api/v1/agents')
            .set(...bearer(op))
            .send({ name: `described-${Date.now()}`, type: 'calculator', description }),
          request(t.http)
            .patch(`/api/v1/agents/${agentId}`)
            .set(...bearer(op))
            .send({ description }),
          request(t.http)
            .patch(`/api/v1/workflows/${workflowId}`)
            .set(...bearer(op))
            .send({ description }),
        ];
        for (const res of await Promise.all(sends)) {
          expectRefused(res, 400, 'VALIDATION_FAILED');
          expect(res.body.error.details).toContainEqual({ field: '/description', message: rule });
        }
        const [stored] = (await t.dataSource.query(
          `SELECT (SELECT count(*) FROM agents WHERE description = $1) + (SELECT count(*) FROM workflows
                  WHERE description = $1) AS n`,
          [description],
        )) as { n: string }[];
        expect(stored.n).toBe('0');
      },
    );

    it('keeps lines and tabs in a description', async () => {
      const description = 'First line\n\tindented\r\nlast — עברית';
      const res = await request(t.http)
        .patch(`/api/v1/agents/${agentId}`)
        .set(...bearer(op))
        .send({ description })
        .expect(200);
      expect(res.body.data.description).toBe(description);
    });
  });

  it('takes JSON in UTF-8 only (under any of its names), as application/json or a +json type; another charset → 415', async () => {
    const send = (type: string, body: string | Buffer) =>
      request(t.http).post('/api/v1/auth/login').set('Content-Type', type).send(body);
    const login = '{"email":"nobody@example.com","password":"wrong"}';
    for (const type of [
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
      'application/json; charset=utf8',
      'application/json; charset=UTF8; foo=bar',
      'application/problem+json',
    ]) {
      expect({ type, status: (await send(type, login)).status }).toEqual({ type, status: 401 });
    }
    for (const [type, body] of [
      ['application/json; charset=utf-16le', Buffer.from(login, 'utf16le')],
      ['application/json; charset=utf-32', Buffer.from(login)],
      ['application/json; charset=latin1', Buffer.from(login)],
      ['application/json; charset=', Buffer.from(login)],
      ['application/json; charset=utf_8', Buffer.from(login)],
      // Two charsets: which one the body is in is not said.
      ['application/json; charset=utf8; charset=latin1', Buffer.from(login)],
    ] as const) {
      const res = await send(type, body);
      expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.error.message).toBe('Request bodies must be application/json, in UTF-8');
    }
  });
});
