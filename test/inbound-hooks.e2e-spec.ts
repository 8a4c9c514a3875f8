import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import request from 'supertest';
import { REDIS } from '../src/redis/redis.module';
import { signatureHeaders } from '../src/webhooks/webhook-signature';
import { calculatorTestBed, createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser, updateUser } from './factories/users';
import { type TestApp } from './utils/test-app';

interface CreatedHook {
  id: string;
  secret: string;
  url: string;
  [field: string]: unknown;
}

describe('inbound hooks', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    ({ t, op, calc } = await calculatorTestBed());
  });

  afterAll(async () => {
    await t?.close();
  });

  async function createHook(body: Record<string, unknown>, user = op): Promise<CreatedHook> {
    const res = await request(t.http)
      .post('/api/v1/hooks')
      .set(...bearer(user))
      .send({ name: 'ci', target: { agentId: calc }, auth: 'hmac', ...body })
      .expect(201);
    return res.body.data;
  }

  /** A call signed as a Standard Webhooks sender signs it. */
  function signed(hook: CreatedHook, payload: unknown, id = `msg_${randomUUID()}`, at = new Date()) {
    const body = JSON.stringify(payload);
    return request(t.http)
      .post(hook.url)
      .set('Content-Type', 'application/json')
      .set(signatureHeaders(hook.secret, id, body, at))
      .send(body);
  }

  const tasksOf = async (hookId: string): Promise<{ id: string; created_by: string; input: unknown }[]> =>
    t.dataSource.query(`SELECT id, created_by, input FROM tasks WHERE metadata->>'hookId' = $1`, [hookId]);

  it('starts a task as the hook’s creator from a signed call, with an audit entry naming the hook', async () => {
    const hook = await createHook({});
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(hook.url).toBe(`/api/v1/hooks/${hook.id}`);
    const res = await signed(hook, { expression: '6*7' }).expect(202);
    expect(res.body.data).toEqual({ taskId: expect.any(String), duplicate: false });
    const rows = await tasksOf(hook.id);
    expect(rows).toEqual([{ id: res.body.data.taskId, created_by: op.id, input: { expression: '6*7' } }]);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT actor_type AS "actorType", details FROM audit_logs WHERE action = 'task.create' AND resource_id = $1`,
      [res.body.data.taskId],
    );
    expect(entry).toEqual({
      actorType: 'system',
      details: expect.objectContaining({ hookId: hook.id, createdBy: op.id, agentId: calc }),
    });
  });

  it('starts nothing once its creator is deactivated or demoted to viewer: 403, as their own tokens are refused', async () => {
    const admin = await createUser(t, 'admin');
    const owner = await createUser(t, 'operator');
    const hook = await createHook({}, owner);
    const setOwner = (changes: Record<string, unknown>) => updateUser(t, admin, owner.id, changes);
    await setOwner({ isActive: false });
    for (const changes of [undefined, { isActive: true, role: 'viewer' }]) {
      if (changes) await setOwner(changes);
      const res = await signed(hook, { expression: '1+1' }).expect(403);
      expect(res.body.error).toMatchObject({
        code: 'FORBIDDEN',
        message: 'Its creator is deactivated or no longer holds tasks:write',
      });
    }
    expect(await tasksOf(hook.id)).toEqual([]);
    await setOwner({ role: 'operator' });
    await signed(hook, { expression: '1+1' }).expect(202);
    expect(await tasksOf(hook.id)).toHaveLength(1);
  });

  it('is created by a signed-in user only: from an API key 403, and nothing stored', async () => {
    const key = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(op))
        .send({ name: 'hooks', scopes: ['hooks:write', 'hooks:read'] })
        .expect(201)
    ).body.data.key as string;
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM inbound_hooks`);
    const res = await request(t.http)
      .post('/api/v1/hooks')
      .set('X-API-Key', key)
      .send({ name: 'from a key', target: { agentId: calc }, auth: 'bearer' })
      .expect(403);
    expect(res.body.error.message).toBe('Creating an inbound hook takes a signed-in user, not an API key');
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM inbound_hooks`))[0].n).toBe(n);
    await request(t.http).get('/api/v1/hooks').set('X-API-Key', key).expect(200);
  });

  it('refuses a bad signature, an old or future timestamp, missing headers and an unknown hook alike', async () => {
    const hook = await createHook({});
    const other = await createHook({});
    const refusals = [
      await signed({ ...hook, secret: other.secret }, { expression: '1' }),
      await signed(hook, { expression: '1' }, undefined, new Date(Date.now() - 6 * 60_000)),
      await signed(hook, { expression: '1' }, undefined, new Date(Date.now() + 6 * 60_000)),
      await request(t.http).post(hook.url).send({ expression: '1' }),
      await signed({ ...hook, url: `/api/v1/hooks/${randomUUID()}` }, { expression: '1' }),
      await signed({ ...hook, url: '/api/v1/hooks/not-a-uuid' }, { expression: '1' }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual({ code: 'UNAUTHENTICATED', message: 'The hook or its credentials are not valid' });
    }
    // The signature covers the raw body: the same JSON sent with other whitespace does not pass.
    const headers = signatureHeaders(hook.secret, 'msg_ws', JSON.stringify({ expression: '1' }));
    await request(t.http)
      .post(hook.url)
      .set('Content-Type', 'application/json')
      .set(headers)
      .send('{ "expression": "1" }')
      .expect(401);
    expect(await tasksOf(hook.id)).toEqual([]);
  });

  it('starts nothing twice for a replayed delivery (same webhook-id): 200 with the first task', async () => {
    const hook = await createHook({});
    const first = await signed(hook, { expression: '2+2' }, 'msg_replayed').expect(202);
    const again = await signed(hook, { expression: '2+2' }, 'msg_replayed').expect(200);
    expect(again.body.data).toEqual({ taskId: first.body.data.taskId, duplicate: true });
    expect(await tasksOf(hook.id)).toHaveLength(1);
    await signed(hook, { expression: '2+2' }, 'msg_other').expect(202);
    expect(await tasksOf(hook.id)).toHaveLength(2);
    // The same webhook-id with another body: refused in the words of what the sender sent.
    const conflict = await signed(hook, { expression: '3+3' }, 'msg_replayed').expect(422);
    expect(conflict.body.error).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      message: 'This webhook-id was used with a different request body',
    });
    expect(await tasksOf(hook.id)).toHaveLength(2);
  });

  it('checks the body against the agent type: 400 and nothing stored', async () => {
    const hook = await createHook({});
    const res = await signed(hook, { nope: 1 }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: '/input/expression' })]),
    );
    expect(await tasksOf(hook.id)).toEqual([]);
  });

  it('makes the input with the hook’s template', async () => {
    const hook = await createHook({ inputTemplate: { expression: '{{ body.a & "*" & body.b }}' } });
    await signed(hook, { a: '3', b: '5' }).expect(202);
    const [row] = await tasksOf(hook.id);
    expect(row.input).toEqual({ expression: '3*5' });
  });

  it('takes a bearer token, hashed at rest, with Idempotency-Key for replays', async () => {
    const hook = await createHook({ auth: 'bearer' });
    expect(hook.secret).toMatch(/^ymh_[A-Za-z0-9_-]{43}$/);
    const [stored] = await t.dataSource.query(`SELECT token_hash, secret_sealed FROM inbound_hooks WHERE id = $1`, [
      hook.id,
    ]);
    expect(stored.secret_sealed).toBeNull();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(hook.secret);
    const call = (token: string, key?: string) => {
      const req = request(t.http).post(hook.url).set('Authorization', `Bearer ${token}`);
      return (key ? req.set('Idempotency-Key', key) : req).send({ expression: '1+1' });
    };
    await call(`${hook.secret}x`).expect(401);
    const first = await call(hook.secret, 'deploy-42').expect(202);
    const again = await call(hook.secret, 'deploy-42').expect(200);
    expect(again.body.data).toEqual({ taskId: first.body.data.taskId, duplicate: true });
    await call(hook.secret).expect(202);
    // A key is visible ASCII, as a task's: anything else would be stored garbled.
    for (const key of ['clé-1', 'with space']) {
      const refused = await call(hook.secret, key).expect(400);
      expect(refused.body.error.details).toEqual([
        { field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' },
      ]);
    }
    expect(await tasksOf(hook.id)).toHaveLength(2);
    // A signed call means nothing to a bearer hook.
    await signed({ ...hook, secret: (await createHook({})).secret }, { expression: '1' }).expect(401);
  });

  it('limits calls per hook: 429 with Retry-After', async () => {
    const hook = await createHook({ auth: 'bearer', rateLimitPerMinute: 2 });
    const call = () =>
      request(t.http).post(hook.url).set('Authorization', `Bearer ${hook.secret}`).send({ expression: '1' });
    await call().expect(202);
    await call().expect(202);
    const limited = await call().expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await tasksOf(hook.id)).toHaveLength(2);
    // Judged by the count alone: the refusal keeps no block in Redis (the app's own client, with its prefix).
    const redis = t.app.get<Redis>(REDIS);
    expect(await redis.get(`throttle:hook:${hook.id}:hits`)).toBe('3');
    expect(await redis.exists(`throttle:hook:${hook.id}:block`)).toBe(0);
    // A limit raised within the minute takes effect at once: the calls refused so far count, and no more.
    await request(t.http)
      .patch(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(op))
      .send({ rateLimitPerMinute: 5 })
      .expect(200);
    await call().expect(202);
    await call().expect(202);
    await call().expect(429);
    expect(await tasksOf(hook.id)).toHaveLength(4);
    // Another hook has a budget of its own. A sender's own query parameters are ignored.
    const other = await createHook({ auth: 'bearer', rateLimitPerMinute: 2 });
    await request(t.http)
      .post(`${other.url}?source=ci&trace=1`)
      .set('Authorization', `Bearer ${other.secret}`)
      .send({ expression: '1' })
      .expect(202);
  });

  it('starts a workflow run once per delivery; a disabled hook is 409 after a valid secret only', async () => {
    const workflow = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: 'from-hook', steps: [{ id: 'a', agentId: calc, input: { expression: '{{ input.n }}' } }] })
      .expect(201);
    const hook = await createHook({ target: { workflowId: workflow.body.data.id } });
    const first = await signed(hook, { n: '9' }, 'msg_run').expect(202);
    expect(first.body.data).toEqual({ runId: expect.any(String), duplicate: false });
    const again = await signed(hook, { n: '9' }, 'msg_run').expect(200);
    expect(again.body.data).toEqual({ runId: first.body.data.runId, duplicate: true });
    // The same delivery id with another body: refused, as for an agent's hook, naming the header it came in.
    const conflict = await signed(hook, { n: '10' }, 'msg_run').expect(422);
    expect(conflict.body.error).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      message: expect.stringContaining('webhook-id'),
    });
    const runs = await t.dataSource.query(`SELECT id, created_by, input FROM workflow_runs WHERE workflow_id = $1`, [
      workflow.body.data.id,
    ]);
    expect(runs).toEqual([{ id: first.body.data.runId, created_by: op.id, input: { n: '9' } }]);

    await request(t.http)
      .patch(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(op))
      .send({ enabled: false })
      .expect(200);
    expect((await signed(hook, { n: '1' }).expect(409)).body.error.code).toBe('INVALID_STATE');
    await signed({ ...hook, secret: (await createHook({})).secret }, { n: '1' }).expect(401);
  });

  it('starts nothing once its agent or workflow is deleted: 409 CONFLICT naming it, the hook itself still there', async () => {
    const agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    const agentHook = await createHook({ target: { agentId } });
    const workflowId = (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: 'soon gone', steps: [{ id: 'a', agentId: calc, input: { expression: '1' } }] })
        .expect(201)
    ).body.data.id as string;
    const workflowHook = await createHook({ target: { workflowId } });
    const deletedOf = async (): Promise<unknown[]> => {
      const list = await request(t.http)
        .get('/api/v1/hooks?limit=100')
        .set(...bearer(op))
        .expect(200);
      const items = list.body.data as { id: string; targetDeleted: boolean }[];
      return [agentHook.id, workflowHook.id].map((id) => items.find((h) => h.id === id)?.targetDeleted);
    };
    expect(await deletedOf()).toEqual([false, false]);
    await request(t.http)
      .delete(`/api/v1/agents/${agentId}`)
      .set(...bearer(op))
      .expect(204);
    await request(t.http)
      .delete(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .expect(204);
    expect(await deletedOf()).toEqual([true, true]);
    const one = await request(t.http)
      .get(`/api/v1/hooks/${agentHook.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(one.body.data).toMatchObject({ enabled: true, targetDeleted: true });
    const agentGone = await signed(agentHook, { expression: '1' }).expect(409);
    expect(agentGone.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/agent.*deleted/) });
    const workflowGone = await signed(workflowHook, { n: '1' }).expect(409);
    expect(workflowGone.body.error).toMatchObject({
      code: 'CONFLICT',
      message: 'The hook’s workflow has been deleted and starts no new runs',
    });
    expect(await tasksOf(agentHook.id)).toEqual([]);
    const metrics = await request(t.http).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/inbound_hook_calls_total\{outcome="target_deleted"\} 2\b/);
  });

  it('is managed by its owner (operators write, viewers read), audited, its secret never shown again', async () => {
    const viewer = await createUser(t, 'viewer');
    await request(t.http)
      .post('/api/v1/hooks')
      .set(...bearer(viewer))
      .send({ name: 'x', target: { agentId: calc }, auth: 'hmac' })
      .expect(403);
    await request(t.http)
      .get('/api/v1/hooks')
      .set(...bearer(viewer))
      .expect(200);

    const bad = await request(t.http)
      .post('/api/v1/hooks')
      .set(...bearer(op))
      .send({ name: 'x', target: { agentId: randomUUID() }, auth: 'magic', inputTemplate: { a: '{{ ) }}' } })
      .expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['/auth']));
    const noTarget = await request(t.http)
      .post('/api/v1/hooks')
      .set(...bearer(op))
      .send({ name: 'x', target: { agentId: randomUUID() }, auth: 'hmac', inputTemplate: { a: '{{ ) }}' } })
      .expect(400);
    expect(noTarget.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['/target/agentId', '/inputTemplate/a']),
    );

    const hook = await createHook({ name: 'managed' });
    const shown = await request(t.http)
      .get(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(shown.body.data).toEqual(
      expect.objectContaining({ id: hook.id, name: 'managed', auth: 'hmac', target: { agentId: calc }, enabled: true }),
    );
    expect(JSON.stringify(shown.body)).not.toContain(hook.secret);
    const listed = await request(t.http)
      .get('/api/v1/hooks')
      .set(...bearer(op))
      .expect(200);
    expect(listed.body.data.map((h: { id: string }) => h.id)).toContain(hook.id);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret.slice(6));

    const stranger = await createUser(t, 'operator');
    await request(t.http)
      .get(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(stranger))
      .expect(404);
    await request(t.http)
      .delete(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(stranger))
      .expect(404);

    const renamed = await request(t.http)
      .patch(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(op))
      .send({ name: 'renamed', rateLimitPerMinute: 10 })
      .expect(200);
    expect(renamed.body.data).toEqual(expect.objectContaining({ name: 'renamed', rateLimitPerMinute: 10 }));
    await request(t.http)
      .delete(`/api/v1/hooks/${hook.id}`)
      .set(...bearer(op))
      .expect(204);
    await signed(hook, { expression: '1' }).expect(401);

    await t.chainAudit();
    const entries = await t.dataSource.query(
      `SELECT action, actor_id AS actor, details FROM audit_logs WHERE resource_type = 'hook' AND resource_id = $1 AND outcome = 'success' ORDER BY seq`,
      [hook.id],
    );
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['hook.create', 'hook.update', 'hook.delete']);
    // The change names the fields it was sent, not every field a change may take.
    expect(entries[1].details.fields).toEqual(['name', 'rateLimitPerMinute']);
    expect(entries.every((e: { actor: string }) => e.actor === op.id)).toBe(true);
    const everything = await t.dataSource.query(`SELECT details::text AS d FROM audit_logs`);
    expect(everything.some((e: { d: string }) => e.d.includes(hook.secret.slice(6)))).toBe(false);
    const [stored] = await t.dataSource.query(`SELECT secret_sealed FROM inbound_hooks LIMIT 1`);
    expect(stored.secret_sealed ?? '').not.toContain('whsec_');
  });
});
