import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AgentStateStore } from '../src/agents/agent-state.store';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

describe('agents API', () => {
  let t: TestApp;
  let op: TestUser;
  let viewer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    viewer = await createUser(t, 'viewer');
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: object, user: TestUser = op) =>
    request(t.http)
      .post('/api/v1/agents')
      .set(...bearer(user))
      .send(body);

  it('lists the four built-in types with their JSON Schemas', async () => {
    const res = await request(t.http)
      .get('/api/v1/agent-types')
      .set(...bearer(viewer))
      .expect(200);
    const types = res.body.data as { type: string; configSchema: { $schema: string } }[];
    expect(types.map((x) => x.type).sort()).toEqual(['calculator', 'data-processor', 'http', 'llm']);
    for (const type of types) expect(type.configSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('creates an agent with defaults applied, and lists every config violation as a JSON pointer', async () => {
    const res = await create({ name: 'calc-1', type: 'calculator' }).expect(201);
    expect(res.body.data).toEqual(
      expect.objectContaining({
        name: 'calc-1',
        type: 'calculator',
        status: 'active',
        config: { precision: 10 },
        configVersion: 1,
        concurrency: 1,
      }),
    );
    const bad = await create({ name: 'calc-bad', type: 'calculator', config: { precision: 99, extra: true } }).expect(
      400,
    );
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        { field: '/config/precision', message: 'must be <= 15' },
        { field: '/config/extra', message: 'is not allowed' },
      ]),
    );
    const missing = await create({ name: 'http-bad', type: 'http', config: {} }).expect(400);
    expect(missing.body.error.details).toEqual([{ field: '/config/url', message: 'is required' }]);
    const unknown = await create({ name: 'x', type: 'quantum' }).expect(400);
    expect(unknown.body.error.details[0].field).toBe('/type');
    const taken = await create({ name: 'calc-1', type: 'calculator' }).expect(409);
    // The conflict names the field it is about (a limit's conflict names none).
    expect(taken.body.error).toEqual({
      code: 'CONFLICT',
      message: 'An agent with this name already exists',
      details: [{ field: '/name', message: 'An agent with this name already exists' }],
    });
  });

  it('keeps secret fields encrypted at rest and shows them as ******** everywhere', async () => {
    const res = await create({
      name: 'remote-1',
      type: 'http',
      config: { url: 'https://agents.example.com/run', signingSecret: 'super-secret-signing-key-123' },
    }).expect(201);
    const id = res.body.data.id as string;
    expect(res.body.data.config).toEqual({
      url: 'https://agents.example.com/run',
      method: 'POST',
      timeoutMs: 30000,
      signingSecret: '********',
    });
    expect(res.body.data.circuitBreaker).toEqual({ state: 'closed' });
    const [row] = await t.dataSource.query(`SELECT config::text AS config FROM agents WHERE id = $1`, [id]);
    expect(row.config).not.toContain('super-secret-signing-key-123');
    await t.chainAudit();
    const audit = await t.dataSource.query(`SELECT details::text AS d FROM audit_logs WHERE resource_id = $1`, [id]);
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain('super-secret-signing-key-123');
    expect(JSON.stringify(audit)).toContain('********');

    // Sending the mask back keeps the secret (for the same url); the worker sees the real value.
    const updated = await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config: { url: 'https://agents.example.com/run', method: 'PUT', signingSecret: '********' } })
      .expect(200);
    expect(updated.body.data).toEqual({
      version: 2,
      config: expect.objectContaining({ method: 'PUT', signingSecret: '********' }),
    });
    const agents = t.app.get(AgentsService);
    const runtime = agents.runtimeOf(await agents.get(id));
    expect(runtime.config.signingSecret).toBe('super-secret-signing-key-123');
    const versions = await request(t.http)
      .get(`/api/v1/agents/${id}/config/versions`)
      .set(...bearer(viewer))
      .expect(200);
    expect(JSON.stringify(versions.body)).not.toContain('super-secret');
  });

  it('treats http header values as secrets: sealed at rest, masked on every read, kept when the mask is sent back', async () => {
    const res = await create({
      name: 'remote-headers',
      type: 'http',
      config: {
        url: 'https://agents.example.com/run',
        headers: { Authorization: 'Bearer header-token-123', 'X-Tenant': 'tenant-456' },
      },
    }).expect(201);
    const id = res.body.data.id as string;
    expect(res.body.data.config.headers).toEqual({ Authorization: '********', 'X-Tenant': '********' });
    const [row] = await t.dataSource.query(`SELECT config::text AS config FROM agents WHERE id = $1`, [id]);
    expect(row.config).not.toContain('header-token-123');
    expect(row.config).not.toContain('tenant-456');

    const mask = await create({
      name: 'remote-unknown-mask',
      type: 'http',
      config: { url: 'https://agents.example.com/run', headers: { Authorization: '********' } },
    }).expect(400);
    expect(mask.body.error.details).toEqual([{ field: '/config/headers/Authorization', message: expect.any(String) }]);

    const updated = await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({
        config: {
          url: 'https://agents.example.com/run',
          headers: { Authorization: '********', 'X-Extra': 'more-789' },
        },
      })
      .expect(200);
    expect(updated.body.data.config.headers).toEqual({ Authorization: '********', 'X-Extra': '********' });
    const agents = t.app.get(AgentsService);
    expect(agents.runtimeOf(await agents.get(id)).config.headers).toEqual({
      Authorization: 'Bearer header-token-123',
      'X-Extra': 'more-789',
    });

    const rolled = await request(t.http)
      .post(`/api/v1/agents/${id}/config/rollback`)
      .set(...bearer(op))
      .send({ version: 1 })
      .expect(200);
    expect(rolled.body.data.config.headers).toEqual({ Authorization: '********', 'X-Tenant': '********' });
    const reads = [
      await request(t.http)
        .get(`/api/v1/agents/${id}`)
        .set(...bearer(viewer))
        .expect(200),
      await request(t.http)
        .get('/api/v1/agents?type=http')
        .set(...bearer(viewer))
        .expect(200),
      await request(t.http)
        .get(`/api/v1/agents/${id}/config/versions`)
        .set(...bearer(viewer))
        .expect(200),
    ];
    await t.chainAudit();
    const audit = await t.dataSource.query(`SELECT details::text AS d FROM audit_logs WHERE resource_id = $1`, [id]);
    const seen = JSON.stringify([...reads.map((r) => r.body), audit]);
    for (const secret of ['header-token-123', 'tenant-456', 'more-789']) expect(seen).not.toContain(secret);
  });

  it('versions every config change and rolls back to an earlier one as a new version', async () => {
    const res = await create({ name: 'calc-versions', type: 'calculator', config: { precision: 2 } }).expect(201);
    const id = res.body.data.id as string;
    await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config: { precision: 5 } })
      .expect(200);
    const bad = await request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config: { precision: -1 } })
      .expect(400);
    expect(bad.body.error.details[0].field).toBe('/config/precision');
    const rolled = await request(t.http)
      .post(`/api/v1/agents/${id}/config/rollback`)
      .set(...bearer(op))
      .send({ version: 1 })
      .expect(200);
    expect(rolled.body.data).toEqual({ version: 3, config: { precision: 2 } });
    const versions = await request(t.http)
      .get(`/api/v1/agents/${id}/config/versions`)
      .set(...bearer(viewer))
      .expect(200);
    expect(
      versions.body.data.map((v: { version: number; source: string; config: object }) => [
        v.version,
        v.source,
        v.config,
      ]),
    ).toEqual([
      [3, 'rollback', { precision: 2 }],
      [2, 'update', { precision: 5 }],
      [1, 'create', { precision: 2 }],
    ]);
    expect(versions.body.data[0].rolledBackFrom).toBe(1);
    await request(t.http)
      .post(`/api/v1/agents/${id}/config/rollback`)
      .set(...bearer(op))
      .send({ version: 42 })
      .expect(404);
    const agent = await request(t.http)
      .get(`/api/v1/agents/${id}`)
      .set(...bearer(viewer))
      .expect(200);
    expect(agent.body.data.configVersion).toBe(3);
  });

  it('pauses, resumes, filters, searches and soft-deletes', async () => {
    const a = (await create({ name: 'proc-search', type: 'data-processor', description: 'Nightly ETL' }).expect(201))
      .body.data;
    await request(t.http)
      .patch(`/api/v1/agents/${a.id}`)
      .set(...bearer(op))
      .send({ status: 'paused', concurrency: 4 })
      .expect(200);
    const paused = await request(t.http)
      .get('/api/v1/agents?status=paused&type=data-processor')
      .set(...bearer(viewer))
      .expect(200);
    expect(paused.body.data.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect(paused.body.data[0].concurrency).toBe(4);
    const found = await request(t.http)
      .get('/api/v1/agents?q=etl')
      .set(...bearer(viewer))
      .expect(200);
    expect(found.body.data.map((x: { id: string }) => x.id)).toEqual([a.id]);
    // A type that does not exist is refused like an unknown status, not answered with an empty page.
    for (const query of ['type=nope', 'status=nope']) {
      const refused = await request(t.http)
        .get(`/api/v1/agents?${query}`)
        .set(...bearer(viewer))
        .expect(400);
      expect(refused.body.error.details[0].field).toBe(`/${query.split('=')[0]}`);
    }
    await request(t.http)
      .patch(`/api/v1/agents/${a.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    await t.chainAudit();
    const actions = await t.dataSource.query(`SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY seq`, [
      a.id,
    ]);
    expect(actions.map((r: { action: string }) => r.action)).toEqual(['agent.create', 'agent.pause', 'agent.resume']);

    await request(t.http)
      .delete(`/api/v1/agents/${a.id}`)
      .set(...bearer(op))
      .expect(204);
    await request(t.http)
      .get(`/api/v1/agents/${a.id}`)
      .set(...bearer(viewer))
      .expect(404);
    const [row] = await t.dataSource.query(`SELECT deleted_at FROM agents WHERE id = $1`, [a.id]);
    expect(row.deleted_at).not.toBeNull();
    const versions = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM agent_config_versions WHERE agent_id = $1`,
      [a.id],
    );
    expect(versions[0].n).toBe(1);
    // The name is free again.
    await create({ name: 'proc-search', type: 'data-processor' }).expect(201);
  });

  it('serves the config schema and the last checkpoint', async () => {
    const a = (
      await create({
        name: 'llm-1',
        type: 'llm',
        config: { baseUrl: 'https://llm.example.com/v1', model: 'm', apiKey: 'sk-1' },
      }).expect(201)
    ).body.data;
    const schema = await request(t.http)
      .get(`/api/v1/agents/${a.id}/schema`)
      .set(...bearer(viewer))
      .expect(200);
    expect(schema.body.data.properties.apiKey.writeOnly).toBe(true);
    const empty = await request(t.http)
      .get(`/api/v1/agents/${a.id}/checkpoint`)
      .set(...bearer(viewer))
      .expect(200);
    expect(empty.body.data).toEqual({ state: null, savedAt: null });
    const state = await t.app.get(AgentStateStore).handle(a.id);
    state.set({ cursor: 42 });
    expect(await t.app.get(AgentStateStore).flush()).toBe(1);
    const saved = await request(t.http)
      .get(`/api/v1/agents/${a.id}/checkpoint`)
      .set(...bearer(viewer))
      .expect(200);
    expect(saved.body.data).toEqual({ state: { cursor: 42 }, savedAt: expect.any(String) });
  });

  it('lets viewers read and only operators and admins change', async () => {
    await create({ name: 'viewer-try', type: 'calculator' }, viewer).expect(403);
    const a = (await create({ name: 'admin-made', type: 'calculator' }, admin).expect(201)).body.data;
    await request(t.http)
      .patch(`/api/v1/agents/${a.id}`)
      .set(...bearer(viewer))
      .send({ name: 'x' })
      .expect(403);
    await request(t.http)
      .delete(`/api/v1/agents/${a.id}`)
      .set(...bearer(viewer))
      .expect(403);
    await request(t.http)
      .get(`/api/v1/agents/${a.id}`)
      .set(...bearer(viewer))
      .expect(200);
    await request(t.http).get('/api/v1/agents').expect(401);
  });
});
