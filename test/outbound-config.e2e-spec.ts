import request from 'supertest';
import { HostResolver } from '../src/agents/outbound/network-guard';
import { bearer, createUser, type TestUser } from './factories/users';
import { TableResolver } from './fakes/host-resolver';
import { createTestApp, type TestApp } from './utils/test-app';

/** Targets the network guard refuses while AGENT_ALLOW_PRIVATE_NETWORKS is off, in the spellings a URL allows. */
const PRIVATE_TARGETS = [
  'http://127.0.0.1:8080/run',
  'http://127.1/run',
  'http://0x7f.0.0.1/run',
  'http://2130706433/run',
  'http://0.0.0.0/run',
  'http://10.0.0.5/run',
  'http://192.168.1.10/run',
  'http://100.64.0.1/run',
  'http://169.254.169.254/latest/meta-data',
  'http://[::1]/run',
  'http://[::ffff:127.0.0.1]/run',
  'http://[::127.0.0.1]/run',
  'http://[fe80::1]/run',
  'http://[fd00::1]/run',
  'http://localhost:3000/run',
  'http://LocalHost./run',
  'http://agents.localhost/run',
  'http://internal.test/run',
];

/** What an http or llm agent's config and a webhook's URL may say about where and how they call out. */
describe('outbound config: header names and values, credentials in URLs', () => {
  let t: TestApp;
  let op: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
  });

  const createAgent = (config: object) =>
    request(t.http)
      .post('/api/v1/agents')
      .set(...bearer(op))
      .send({ name: `remote-${Math.random().toString(36).slice(2)}`, type: 'http', config });
  const url = 'https://agents.example.com/run';

  it('accepts loopback, private and link-local targets while AGENT_ALLOW_PRIVATE_NETWORKS is on', async () => {
    for (const target of PRIVATE_TARGETS.filter((u) => !u.includes('internal.test'))) {
      await createAgent({ url: target }).expect(201);
    }
  });

  it.each([
    ['a CR/LF in a value', { 'X-A': 'a\r\nInjected: 1' }, '/config/headers/X-A', 'must not contain CR, LF or NUL'],
    ['a LF in a value', { 'X-A': 'a\nb' }, '/config/headers/X-A', 'must not contain CR, LF or NUL'],
    ['a name with a space and a colon', { 'X A:B': 'v' }, '/config/headers/X A:B', 'is not a valid header name'],
    ['an empty name', { '': 'v' }, '/config/headers/', 'is not a valid header name'],
    ['Host', { Host: 'internal.example' }, '/config/headers/Host', 'is set by the platform and cannot be configured'],
    ['Content-Length', { 'content-length': '5' }, '/config/headers/content-length', 'is set by the platform'],
    ['Transfer-Encoding', { 'Transfer-Encoding': 'chunked' }, '/config/headers/Transfer-Encoding', 'is set by'],
    ['Connection', { Connection: 'close' }, '/config/headers/Connection', 'is set by the platform'],
    ['X-Ymera-Task-Id', { 'X-Ymera-Task-Id': 'spoofed' }, '/config/headers/X-Ymera-Task-Id', 'is set by the platform'],
    ['x-ymera-attempt', { 'x-ymera-attempt': '99' }, '/config/headers/x-ymera-attempt', 'is set by the platform'],
  ])('refuses an http agent header with %s: 400 naming the header', async (_what, headers, field, message) => {
    const res = await createAgent({ url, headers }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ field, message: expect.stringContaining(message) }]);
  });

  it("names every problem of a config at once: its schema's and the type's own checks together", async () => {
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM agents`))[0].n as number;
    const before = await count();
    const res = await createAgent({
      url: 'https://user:pass@agents.example.com/run',
      headers: { Authorization: 'Bearer t', 'X-Ymera-Foo': 'x', Host: 'h' },
      signingSecret: 'short',
      timeoutMs: -1,
    }).expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      '/config/headers/Host',
      '/config/headers/X-Ymera-Foo',
      '/config/signingSecret',
      '/config/timeoutMs',
      '/config/url',
    ]);
    expect(await count()).toBe(before);
  });

  it('refuses bad headers on a config change too, and keeps the current config', async () => {
    const created = await createAgent({ url, headers: { Authorization: 'Bearer t-1', 'X-Tenant': 't' } }).expect(201);
    const id = created.body.data.id as string;
    const res = await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config: { url, headers: { Authorization: '********', 'X-Evil': 'x\r\nHost: other' } } })
      .expect(400);
    expect(res.body.error.details).toEqual([
      { field: '/config/headers/X-Evil', message: 'must not contain CR, LF or NUL' },
    ]);
    const versions = await request(t.http)
      .get(`/api/v1/agents/${id}/config/versions`)
      .set(...bearer(op))
      .expect(200);
    expect(versions.body.data).toHaveLength(1);
  });

  it('takes a URL scheme in any case, for an http and an llm agent', async () => {
    await createAgent({ url: 'HTTPS://Agents.Example.com/run' }).expect(201);
    await request(t.http)
      .post('/api/v1/agents')
      .set(...bearer(op))
      .send({
        name: `llm-${Math.random().toString(36).slice(2)}`,
        type: 'llm',
        config: { baseUrl: 'Https://llm.example.com/v1', model: 'tiny' },
      })
      .expect(201);
  });

  it('refuses an http agent URL with credentials in it, on create and on change, and stores none of it', async () => {
    const res = await createAgent({ url: 'https://user:hunter2@agents.example.com/run' }).expect(400);
    expect(res.body.error.details).toEqual([
      { field: '/config/url', message: expect.stringContaining('put them in headers') },
    ]);
    await createAgent({ url: 'https://user@agents.example.com/run' }).expect(400);
    const created = await createAgent({ url }).expect(201);
    await request(t.http)
      .post(`/api/v1/agents/${created.body.data.id}/config`)
      .set(...bearer(op))
      .send({ config: { url: 'https://user:hunter2@agents.example.com/run' } })
      .expect(400);
    const [{ n }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM agents WHERE config::text LIKE '%hunter2%')::int
            + (SELECT count(*) FROM audit_logs WHERE details::text LIKE '%hunter2%')::int AS n`,
    );
    expect(n).toBe(0);
  });

  it('refuses an llm agent baseUrl with credentials in it, on create and on change; a viewer sees none', async () => {
    const llm = (config: object) =>
      request(t.http)
        .post('/api/v1/agents')
        .set(...bearer(op))
        .send({ name: `llm-${Math.random().toString(36).slice(2)}`, type: 'llm', config });
    const res = await llm({ baseUrl: 'https://user:hunter2@api.example.org/v1', model: 'x', apiKey: 'sk' }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([
      { field: '/config/baseUrl', message: 'must not carry credentials (user:password@): put the key in apiKey' },
    ]);
    await llm({ baseUrl: 'https://hunter2@api.example.org/v1', model: 'x' }).expect(400);
    const created = await llm({ baseUrl: 'https://api.example.org/v1', model: 'x', apiKey: 'sk' }).expect(201);
    const id = created.body.data.id as string;
    await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config: { baseUrl: 'https://user:hunter2@api.example.org/v1', model: 'x' } })
      .expect(400);
    const viewer = await createUser(t, 'viewer');
    const seen = await request(t.http)
      .get(`/api/v1/agents/${id}`)
      .set(...bearer(viewer))
      .expect(200);
    expect(seen.body.data.config).toEqual({
      baseUrl: 'https://api.example.org/v1',
      model: 'x',
      apiKey: '********',
      timeoutMs: 60_000,
      stream: true,
    });
    const [{ n }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM agents WHERE config::text LIKE '%hunter2%')::int
            + (SELECT count(*) FROM agent_config_versions WHERE config::text LIKE '%hunter2%')::int
            + (SELECT count(*) FROM audit_logs WHERE details::text LIKE '%hunter2%')::int AS n`,
    );
    expect(n).toBe(0);
  });

  it('keeps accepting ordinary headers (tokens, any case, values with spaces and tabs)', async () => {
    const res = await createAgent({
      url,
      headers: { Authorization: 'Bearer a b', "X-Odd!#$%&'*+.^_`|~": 'v\tw', accept: 'application/json' },
    }).expect(201);
    expect(Object.keys(res.body.data.config.headers)).toHaveLength(3);
  });

  it('refuses a webhook URL with credentials in it, on create and on change', async () => {
    const hook = (method: 'post' | 'patch', path: string, body: object) =>
      request(t.http)
        [method](path)
        .set(...bearer(op))
        .send(body);
    const refused = await hook('post', '/api/v1/webhooks', {
      url: 'http://user:hunter2@127.0.0.1:9/hook',
      events: ['task.succeeded'],
    }).expect(400);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(refused.body.error.details).toEqual([
      { field: '/url', message: expect.stringContaining("the webhook's secret") },
    ]);
    const created = await hook('post', '/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['task.succeeded'],
    }).expect(201);
    await hook('patch', `/api/v1/webhooks/${created.body.data.id}`, { url: 'http://token@127.0.0.1:9/hook' }).expect(
      400,
    );
    const [{ n }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM webhook_endpoints WHERE url LIKE '%@%')::int
            + (SELECT count(*) FROM audit_logs WHERE details::text LIKE '%hunter2%')::int AS n`,
    );
    expect(n).toBe(0);
  });
});

describe('outbound config: private targets refused when the agent is configured (AGENT_ALLOW_PRIVATE_NETWORKS off)', () => {
  let t: TestApp;
  let op: TestUser;

  beforeAll(async () => {
    const resolver = new TableResolver({ 'internal.test': ['10.1.2.3'], 'public.test': ['93.184.216.34'] });
    t = await createTestApp({
      env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'false' },
      overrides: [{ provide: HostResolver, useValue: resolver }],
    });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (type: string, config: object) =>
    request(t.http)
      .post('/api/v1/agents')
      .set(...bearer(op))
      .send({ name: `remote-${Math.random().toString(36).slice(2)}`, type, config });
  const agentRows = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM agents`))[0].n as number;

  it.each(PRIVATE_TARGETS)('refuses an http agent calling %s: 400 on /config/url, nothing stored', async (target) => {
    const before = await agentRows();
    const res = await create('http', { url: target }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([
      { field: '/config/url', message: expect.stringMatching(/private, loopback or link-local.*AGENT_ALLOW_PRIVATE/) },
    ]);
    expect(await agentRows()).toBe(before);
  });

  it('refuses an llm agent on localhost, and a config change to a private target', async () => {
    const llm = await create('llm', { baseUrl: 'http://localhost:11434/v1', model: 'tiny' }).expect(400);
    expect(llm.body.error.details).toEqual([{ field: '/config/baseUrl', message: expect.any(String) }]);

    const created = await create('http', { url: 'https://public.test/run' }).expect(201);
    const id = created.body.data.id as string;
    const res = await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config: { url: 'http://[::ffff:169.254.169.254]/latest' } })
      .expect(400);
    expect(res.body.error.details).toEqual([{ field: '/config/url', message: expect.any(String) }]);
    const versions = await request(t.http)
      .get(`/api/v1/agents/${id}/config/versions`)
      .set(...bearer(op))
      .expect(200);
    expect(versions.body.data).toHaveLength(1);
  });

  it('accepts public addresses, names resolving to them, and names DNS cannot answer yet (checked on each send)', async () => {
    for (const target of ['https://public.test/run', 'http://93.184.216.34/run', 'https://agents.example.com/run']) {
      await create('http', { url: target }).expect(201);
    }
  });
});
