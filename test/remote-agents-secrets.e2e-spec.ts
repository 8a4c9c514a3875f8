import { createHmac } from 'node:crypto';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { json, LoopbackServer, type RecordedRequest } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';

describe('agent secrets go only to the target they were given for (full stack)', () => {
  const first = new LoopbackServer();
  const second = new LoopbackServer();
  let urlA: string;
  let urlB: string;
  let t: TestApp;
  let op: TestUser;
  const SECRET_A = 'signing-secret-for-target-a';
  const SECRET_B = 'signing-secret-for-target-b';

  beforeAll(async () => {
    urlA = await first.start();
    urlB = await second.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
    await first.stop();
    await second.stop();
  });
  beforeEach(() => {
    first.requests.length = 0;
    second.requests.length = 0;
  });

  const setConfig = (id: string, config: Record<string, unknown>) =>
    request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config });
  const run = async (agentId: string, input: unknown = { n: 1 }) =>
    settled(t, op, (await submitTask(t, op, { agentId, input })).id);
  const signedWith = (secret: string, req: RecordedRequest) =>
    req.headers['x-ymera-signature'] ===
    `sha256=${createHmac('sha256', secret)
      .update(`${req.headers['x-ymera-timestamp'] as string}.${req.body}`)
      .digest('hex')}`;

  it('http: a new url needs the signing secret and header values again; a rollback keeps each with its url', async () => {
    first.handler = second.handler = (_req, res) => json(res, 200, { ok: true });
    const agent = await createAgent(t, op, {
      type: 'http',
      config: {
        url: `${urlA}/run`,
        signingSecret: SECRET_A,
        headers: { Authorization: 'Bearer token-a', 'X-Tenant': 'tenant-a' },
      },
    });
    const masked = { signingSecret: '********', headers: { Authorization: '********', 'X-Tenant': '********' } };

    const redirected = await setConfig(agent.id, { url: `${urlB}/run`, ...masked }).expect(400);
    expect(redirected.body.error.code).toBe('VALIDATION_FAILED');
    expect(redirected.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      '/config/headers/Authorization',
      '/config/headers/X-Tenant',
      '/config/signingSecret',
    ]);
    // Another path on the same host is another target too.
    const moved = await setConfig(agent.id, { url: `${urlA}/elsewhere`, signingSecret: '********' }).expect(400);
    expect(moved.body.error.details).toEqual([{ field: '/config/signingSecret', message: expect.any(String) }]);
    // The same url, spelt differently, is the same target: the masks keep the stored values.
    await setConfig(agent.id, { url: `${urlA.toUpperCase().replace('HTTP', 'http')}/run`, ...masked }).expect(200);

    // New values (or none) are fine.
    await setConfig(agent.id, {
      url: `${urlB}/run`,
      signingSecret: SECRET_B,
      headers: { Authorization: 'Bearer token-b' },
    }).expect(200);
    expect((await run(agent.id)).status).toBe('succeeded');
    await request(t.http)
      .post(`/api/v1/agents/${agent.id}/config/rollback`)
      .set(...bearer(op))
      .send({ version: 1 })
      .expect(200);
    expect((await run(agent.id)).status).toBe('succeeded');

    expect(second.requests).toHaveLength(1);
    const [atB] = second.requests;
    expect(atB.headers.authorization).toBe('Bearer token-b');
    expect(atB.headers['x-tenant']).toBeUndefined();
    expect(signedWith(SECRET_B, atB)).toBe(true);
    expect(first.requests).toHaveLength(1);
    const [atA] = first.requests;
    expect(atA.headers.authorization).toBe('Bearer token-a');
    expect(atA.headers['x-tenant']).toBe('tenant-a');
    expect(signedWith(SECRET_A, atA)).toBe(true);
  });

  it('http: query parameters are added to each call, kept secret, and go to their url only', async () => {
    first.handler = second.handler = (_req, res) => json(res, 200, { ok: true });
    const agent = await createAgent(t, op, {
      type: 'http',
      config: { url: `${urlA}/run?region=eu`, query: { code: 'secret-code-a', 'x y': 'a&b' } },
    });
    expect((await run(agent.id)).status).toBe('succeeded');
    const called = new URL(first.requests[0].url, urlA);
    expect(called.pathname).toBe('/run');
    // The url's own parameter first; the configured ones after it (in the order the stored config keeps them).
    expect([...called.searchParams][0]).toEqual(['region', 'eu']);
    expect(Object.fromEntries(called.searchParams)).toEqual({ region: 'eu', code: 'secret-code-a', 'x y': 'a&b' });
    // Shown masked to a reader of the agent, as header values are; stored encrypted.
    const read = await request(t.http)
      .get(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(read.body.data.config.query).toEqual({ code: '********', 'x y': '********' });
    const stored = JSON.stringify(await t.dataSource.query(`SELECT config FROM agents WHERE id = $1`, [agent.id]));
    expect(stored).not.toContain('secret-code-a');
    const redirected = await setConfig(agent.id, { url: `${urlB}/run`, query: { code: '********' } }).expect(400);
    expect(redirected.body.error.details).toEqual([{ field: '/config/query/code', message: expect.any(String) }]);
  });

  it('a secret this SECRETS_KEY cannot open fails the task at once, with a code that says so, calling nothing', async () => {
    first.handler = (_req, res) => json(res, 200, { ok: true });
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${urlA}/run`, signingSecret: SECRET_A } });
    // As sealed under another key: well formed, and not to be opened with this one.
    await t.dataSource.query(
      `UPDATE agents SET config = jsonb_set(config, '{signingSecret,$sealed}', to_jsonb($2::text)) WHERE id = $1`,
      [agent.id, 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    );
    const task = await settled(t, op, (await submitTask(t, op, { agentId: agent.id, input: {}, maxAttempts: 3 })).id);
    expect(task).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'SECRETS_UNREADABLE' } });
    expect(first.requests).toEqual([]);
  });

  it('http: a redirect to another origin carries none of the configured headers', async () => {
    first.handler = (_req, res) => {
      res.writeHead(307, { location: `${urlB}/landing` });
      res.end();
    };
    second.handler = (_req, res) => json(res, 200, { landed: true });
    const agent = await createAgent(t, op, {
      type: 'http',
      config: { url: `${urlA}/moved`, headers: { Authorization: 'Bearer token-a', 'X-Tenant': 'tenant-a' } },
    });
    expect((await run(agent.id)).output).toEqual({ landed: true });
    expect(first.requests[0].headers.authorization).toBe('Bearer token-a');
    const [landed] = second.requests;
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers['x-tenant']).toBeUndefined();
    expect(JSON.parse(landed.body)).toEqual(expect.objectContaining({ input: { n: 1 } }));
  });

  it('llm: a new baseUrl needs the apiKey again; the same baseUrl keeps it', async () => {
    const answer = { model: 'm', choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }] };
    first.handler = second.handler = (_req, res) => json(res, 200, answer);
    const agent = await createAgent(t, op, {
      type: 'llm',
      config: { baseUrl: `${urlA}/v1`, model: 'm', apiKey: 'sk-for-a' },
    });
    const refused = await setConfig(agent.id, { baseUrl: `${urlB}/v1`, model: 'm', apiKey: '********' }).expect(400);
    expect(refused.body.error.details).toEqual([{ field: '/config/apiKey', message: expect.any(String) }]);
    await setConfig(agent.id, { baseUrl: `${urlA}/v1`, model: 'm2', apiKey: '********' }).expect(200);
    expect((await run(agent.id, { prompt: 'hi' })).status).toBe('succeeded');
    await setConfig(agent.id, { baseUrl: `${urlB}/v1`, model: 'm' }).expect(200);
    expect((await run(agent.id, { prompt: 'hi' })).status).toBe('succeeded');

    expect(first.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-for-a']);
    expect(second.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });
});
