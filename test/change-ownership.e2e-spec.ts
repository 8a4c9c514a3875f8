import request from 'supertest';
import { HostResolver } from '../src/agents/outbound/network-guard';
import { TableResolver } from './fakes/host-resolver';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * Agents and workflows are shared: everyone holding the read permission sees them, operators send tasks to
 * any agent and run any workflow. Changing or deleting one is for its creator or an admin: an agent's config
 * reaches the tasks others send it, and a workflow's triggers start runs as its creator, on the creator's
 * events, so a stranger's change would receive other users' data.
 */
describe('changing a shared agent or workflow: its creator or an admin only', () => {
  let t: TestApp;
  let admin: TestUser;
  let opA: TestUser;
  let opB: TestUser;
  let bKey: string;
  const dns = new TableResolver({ 'a.example.com': ['93.184.216.34'], 'b.example.com': ['93.184.216.35'] });

  beforeAll(async () => {
    t = await createTestApp({ overrides: [{ provide: HostResolver, useValue: dns }] });
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    opA = await createUser(t, 'operator');
    opB = await createUser(t, 'operator');
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(opB))
      .send({ name: 'b-automation', scopes: ['agents:read', 'agents:write', 'workflows:read', 'workflows:write'] })
      .expect(201);
    bKey = key.body.data.key;
  });
  afterAll(async () => {
    await t?.close();
  });

  type Caller = TestUser | { apiKey: string };
  const as = (caller: Caller): [string, string] => ('apiKey' in caller ? ['X-API-Key', caller.apiKey] : bearer(caller));
  const send = (caller: Caller, method: 'post' | 'patch' | 'delete', path: string, body?: object) => {
    const req = request(t.http)
      [method](path)
      .set(...as(caller));
    return body ? req.send(body) : req;
  };

  async function createAgent(owner: TestUser, name: string): Promise<string> {
    const res = await send(owner, 'post', '/api/v1/agents', {
      name,
      type: 'http',
      config: { url: 'https://a.example.com/run', signingSecret: 'a-signing-secret-of-16+' },
    }).expect(201);
    await send(owner, 'post', `/api/v1/agents/${res.body.data.id}/config`, {
      config: { url: 'https://a.example.com/run', timeoutMs: 5000, signingSecret: '********' },
    }).expect(200);
    return res.body.data.id;
  }

  const agentRow = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT name, status, concurrency, config, config_version, deleted_at,
                (SELECT count(*)::int FROM agent_config_versions v WHERE v.agent_id = a.id) AS versions
           FROM agents a WHERE id = $1`,
        [id],
      )
    )[0];
  const workflowRow = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT name, steps, triggers, triggers_since, version, deleted_at FROM workflows WHERE id = $1`,
        [id],
      )
    )[0];
  const denials = async (resourceId: string) => {
    await t.chainAudit();
    return t.dataSource.query(
      `SELECT action, actor_type, actor_id, details FROM audit_logs
        WHERE resource_id = $1 AND outcome = 'denied' ORDER BY seq`,
      [resourceId],
    );
  };

  const agentChanges = (id: string): [string, 'post' | 'patch' | 'delete', string, object?][] => [
    ['agent.update', 'patch', `/api/v1/agents/${id}`, { name: 'taken-over', concurrency: 5 }],
    ['agent.pause', 'patch', `/api/v1/agents/${id}`, { status: 'paused' }],
    ['agent.config_update', 'post', `/api/v1/agents/${id}/config`, { config: { url: 'https://b.example.com/x' } }],
    ['agent.config_rollback', 'post', `/api/v1/agents/${id}/config/rollback`, { version: 1 }],
    ['agent.delete', 'delete', `/api/v1/agents/${id}`],
  ];

  it('refuses another operator every change to an agent (403, nothing written, each refusal audited)', async () => {
    const id = await createAgent(opA, 'a-remote');
    const before = await agentRow(id);
    for (const caller of [opB, { apiKey: bKey }]) {
      for (const [, method, path, body] of agentChanges(id)) {
        const res = await send(caller, method, path, body).expect(403);
        expect(res.body).toMatchObject({
          status: 'error',
          error: { code: 'FORBIDDEN', message: 'Only its creator or an admin can change this agent' },
        });
      }
    }
    expect(await agentRow(id)).toEqual(before);
    // The update is named for what it was asked to be: an update, or a pause.
    const actions = agentChanges(id).map(([action]) => (action === 'agent.pause' ? 'agent.update' : action));
    expect(await denials(id)).toEqual(
      [...actions, ...actions].map((action, i) => ({
        action,
        actor_type: i < actions.length ? 'user' : 'apiKey',
        actor_id: i < actions.length ? opB.id : expect.any(String),
        details: { error: 'FORBIDDEN' },
      })),
    );
  });

  it("looks up no host of a config change it refuses: the target of another's agent stays unasked", async () => {
    const id = await createAgent(opA, 'a-probed');
    const config = (host: string) => ({
      config: { url: `https://${host}/x`, signingSecret: 'another-signing-secret-16' },
    });
    await send(opB, 'post', `/api/v1/agents/${id}/config`, config('probe-b.example.net')).expect(403);
    await send(opA, 'post', `/api/v1/agents/${id}/config`, config('probe-a.example.net')).expect(200);
    expect(dns.asked).toContain('probe-a.example.net');
    expect(dns.asked).not.toContain('probe-b.example.net');
  });

  it('still lets everyone read and use the agent: another operator sends it tasks', async () => {
    const id = await createAgent(opA, 'a-shared');
    await request(t.http)
      .get(`/api/v1/agents/${id}`)
      .set(...bearer(opB))
      .expect(200);
    await request(t.http)
      .get(`/api/v1/agents/${id}/config/versions`)
      .set(...bearer(opB))
      .expect(200);
    const task = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(opB))
      .send({ agentId: id, input: { anything: true } })
      .expect(202);
    expect(task.body.data).toMatchObject({ agentId: id, createdBy: opB.id });
  });

  it('lets the creator (by token or by key) and an admin change and delete the agent', async () => {
    const id = await createAgent(opA, 'a-own');
    const aKey = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(opA))
      .send({ name: 'a-automation', scopes: ['agents:write'] })
      .expect(201);
    await send(opA, 'patch', `/api/v1/agents/${id}`, { concurrency: 2 }).expect(200);
    await send({ apiKey: aKey.body.data.key }, 'patch', `/api/v1/agents/${id}`, { status: 'paused' }).expect(200);
    await send(opA, 'post', `/api/v1/agents/${id}/config/rollback`, { version: 1 }).expect(200);
    await send(admin, 'patch', `/api/v1/agents/${id}`, { status: 'active' }).expect(200);
    await send(admin, 'post', `/api/v1/agents/${id}/config`, {
      config: { url: 'https://a.example.com/run', timeoutMs: 7000, signingSecret: '********' },
    }).expect(200);
    expect(await agentRow(id)).toMatchObject({ status: 'active', concurrency: 2, config_version: 4, versions: 4 });
    await send(admin, 'delete', `/api/v1/agents/${id}`).expect(204);
    expect((await agentRow(id)).deleted_at).toBeInstanceOf(Date);

    const other = await createAgent(opA, 'a-own-2');
    await send(opA, 'delete', `/api/v1/agents/${other}`).expect(204);
  });

  it('leaves an agent without a recorded creator to the admins', async () => {
    const id = await createAgent(opA, 'a-orphan');
    await t.dataSource.query(`UPDATE agents SET created_by = NULL WHERE id = $1`, [id]);
    await send(opA, 'patch', `/api/v1/agents/${id}`, { concurrency: 3 }).expect(403);
    await send(admin, 'patch', `/api/v1/agents/${id}`, { concurrency: 3 }).expect(200);
  });

  /** The admin's workflow started by the admin's own task events (runs as the admin, on the admin's tasks). */
  async function adminWorkflow(): Promise<{ id: string; watched: string; step: string }> {
    const watched = (
      await send(admin, 'post', '/api/v1/agents', { name: `watched-${Date.now()}`, type: 'calculator' }).expect(201)
    ).body.data.id;
    const step = (
      await send(admin, 'post', '/api/v1/agents', { name: `step-${Date.now()}`, type: 'calculator' }).expect(201)
    ).body.data.id;
    const res = await send(admin, 'post', '/api/v1/workflows', {
      name: 'on-my-failures',
      steps: [{ id: 'count', agentId: step, input: { expression: '1+1' } }],
      triggers: [{ on: 'task.failed', agentId: watched }],
    }).expect(201);
    return { id: res.body.data.id, watched, step };
  }

  it("refuses another operator's rewrite of a workflow's steps and triggers, and its deletion", async () => {
    const { id, watched } = await adminWorkflow();
    const theirs = await createAgent(opB, 'b-collector');
    const before = await workflowRow(id);
    const rewrite = {
      steps: [{ id: 'leak', agentId: theirs, input: { everything: '{{ input }}' } }],
      triggers: [
        { on: 'task.succeeded', agentId: watched },
        { on: 'task.failed', agentId: watched },
      ],
    };
    for (const caller of [opB, opA, { apiKey: bKey }]) {
      const res = await send(caller, 'patch', `/api/v1/workflows/${id}`, rewrite).expect(403);
      expect(res.body.error).toMatchObject({
        code: 'FORBIDDEN',
        message: 'Only its creator or an admin can change this workflow',
      });
      await send(caller, 'patch', `/api/v1/workflows/${id}`, { name: 'renamed' }).expect(403);
      await send(caller, 'delete', `/api/v1/workflows/${id}`).expect(403);
    }
    // Refused before the definition is checked: a broken one is answered the same.
    await send(opB, 'patch', `/api/v1/workflows/${id}`, {
      steps: [{ id: 'x', agentId: '00000000-0000-4000-8000-000000000000', input: {} }],
    }).expect(403);
    expect(await workflowRow(id)).toEqual(before);
    const denied = await denials(id);
    expect(denied).toHaveLength(10);
    expect(denied.map((d: { action: string }) => d.action).sort()).toEqual([
      ...Array(3).fill('workflow.delete'),
      ...Array(7).fill('workflow.update'),
    ]);
    expect(denied.every((d: { details: object }) => JSON.stringify(d.details) === '{"error":"FORBIDDEN"}')).toBe(true);
  });

  it('still lets another operator read and run the workflow, as themself', async () => {
    const { id } = await adminWorkflow();
    await request(t.http)
      .get(`/api/v1/workflows/${id}`)
      .set(...bearer(opB))
      .expect(200);
    const run = await send(opB, 'post', `/api/v1/workflows/${id}/runs`, { input: { n: 1 } }).expect(202);
    expect(run.body.data).toMatchObject({ workflowId: id, createdBy: opB.id });
  });

  it('lets the creator and an admin change and delete the workflow', async () => {
    const agent = (await send(opA, 'post', '/api/v1/agents', { name: 'a-calc', type: 'calculator' }).expect(201)).body
      .data.id;
    const created = await send(opA, 'post', '/api/v1/workflows', {
      name: 'a-flow',
      steps: [{ id: 's', agentId: agent, input: { expression: '1+1' } }],
    }).expect(201);
    const id = created.body.data.id;
    const steps = [{ id: 's', agentId: agent, input: { expression: '2+2' } }];
    await send(opA, 'patch', `/api/v1/workflows/${id}`, { steps }).expect(200);
    await send(admin, 'patch', `/api/v1/workflows/${id}`, { name: 'a-flow (checked)' }).expect(200);
    expect(await workflowRow(id)).toMatchObject({ name: 'a-flow (checked)', version: 2, steps });
    await send(opA, 'delete', `/api/v1/workflows/${id}`).expect(204);

    const { id: adminsOwn } = await adminWorkflow();
    await send(admin, 'delete', `/api/v1/workflows/${adminsOwn}`).expect(204);
    expect((await workflowRow(adminsOwn)).deleted_at).toBeInstanceOf(Date);
  });

  it('answers 404 for a workflow or agent that does not exist, whoever asks', async () => {
    const none = '00000000-0000-4000-8000-000000000000';
    await send(opB, 'patch', `/api/v1/workflows/${none}`, { name: 'x' }).expect(404);
    await send(opB, 'delete', `/api/v1/agents/${none}`).expect(404);
  });
});
