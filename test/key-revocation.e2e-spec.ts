import request from 'supertest';
import { ScheduleQueue } from '../src/schedules/schedule-queue';
import { TriggerStarter } from '../src/workflows/triggers/trigger-starter';
import { createAgent } from './factories/tasks';
import { webhookTestBed } from './factories/webhooks';
import { bearer, createUser, type TestUser } from './factories/users';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const SCOPES = [
  'schedules:read',
  'schedules:write',
  'webhooks:read',
  'webhooks:write',
  'workflows:read',
  'workflows:write',
  'agents:read',
  // What the schedules start and the endpoints send (see api-key-reach.e2e-spec.ts).
  'tasks:read',
  'tasks:write',
];

/**
 * Revoking an API key pauses the schedules and disables the webhook endpoints it created or last changed: a
 * leaked key must not leave behind a schedule starting work or an endpoint receiving a user's results.
 */
describe('API key revocation', () => {
  const bed = webhookTestBed();
  let t: TestApp;
  let url: string;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    ({ t, url } = await bed.start());
    op = await createUser(t, 'operator');
    await bed.createAgentFor(op);
    calc = bed.agents.get(op.id)!;
  });

  afterAll(async () => {
    await bed.stop();
  });

  async function newKey(scopes = SCOPES): Promise<{ id: string; key: string }> {
    const res = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(op))
      .send({ name: 'automation', scopes })
      .expect(201);
    return { id: res.body.data.id, key: res.body.data.key };
  }

  const asKey = (key: string) => ({
    post: (path: string, body: object) => request(t.http).post(path).set('X-API-Key', key).send(body),
    patch: (path: string, body: object) => request(t.http).patch(path).set('X-API-Key', key).send(body),
  });
  const asUser = {
    post: (path: string, body: object) =>
      request(t.http)
        .post(path)
        .set(...bearer(op))
        .send(body),
    patch: (path: string, body: object) =>
      request(t.http)
        .patch(path)
        .set(...bearer(op))
        .send(body),
    get: (path: string) =>
      request(t.http)
        .get(path)
        .set(...bearer(op)),
  };
  const schedule = (name: string) => ({
    name,
    target: { agentId: calc, input: { expression: '1+1' } },
    everyMs: 3_600_000,
  });
  const revoke = (id: string, query = '') =>
    request(t.http)
      .delete(`/api/v1/api-keys/${id}${query}`)
      .set(...bearer(op));
  const scheduleRow = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT paused, paused_reason AS "pausedReason", changed_with_key_id AS "keyId" FROM schedules WHERE id = $1`,
        [id],
      )
    )[0];

  it('pauses the schedules and disables the endpoints the key made or last changed, and nothing else', async () => {
    const { id: keyId, key } = await newKey();
    const made = (await asKey(key).post('/api/v1/schedules', schedule('made with the key')).expect(201)).body.data;
    expect(made).toMatchObject({ changedWithApiKeyId: keyId, pausedReason: null, paused: false });
    const mine = (await asUser.post('/api/v1/schedules', schedule('mine')).expect(201)).body.data;
    expect(mine.changedWithApiKeyId).toBeNull();
    const touched = (await asUser.post('/api/v1/schedules', schedule('touched by the key')).expect(201)).body.data;
    await asKey(key).patch(`/api/v1/schedules/${touched.id}`, { name: 'renamed by the key' }).expect(200);
    const fromKey = (
      await asKey(key)
        .post('/api/v1/webhooks', { url: `${url}/from-key`, events: ['task.succeeded'] })
        .expect(201)
    ).body.data;
    expect(fromKey.changedWithApiKeyId).toBe(keyId);
    const ownHook = (
      await asUser.post('/api/v1/webhooks', { url: `${url}/own`, events: ['task.succeeded'] }).expect(201)
    ).body.data;
    const queue = t.app.get(ScheduleQueue).queue;
    expect(await queue.getJobScheduler(made.id)).toBeDefined();

    // Both endpoints receive a task's result while the key is live.
    await bed.runTask(op);
    await waitFor(async () => bed.at('/from-key').length === 1 && bed.at('/own').length === 1, 10_000);

    await revoke(keyId).expect(204);

    const paused = await scheduleRow(made.id);
    expect(paused).toEqual({
      paused: true,
      pausedReason: 'The API key that created or last changed it was revoked',
      keyId,
    });
    expect((await scheduleRow(touched.id)).paused).toBe(true);
    expect((await scheduleRow(mine.id)).paused).toBe(false);
    expect(await queue.getJobScheduler(made.id)).toBeUndefined();
    expect(await queue.getJobScheduler(mine.id)).toBeDefined();
    const shown = (await asUser.get(`/api/v1/schedules/${made.id}`).expect(200)).body.data;
    expect(shown).toMatchObject({ paused: true, pausedReason: paused.pausedReason, nextFires: [] });
    const hook = (await asUser.get(`/api/v1/webhooks/${fromKey.id}`).expect(200)).body.data;
    expect(hook).toMatchObject({
      enabled: false,
      disabledReason: 'The API key that created or last changed it was revoked',
    });
    expect((await asUser.get(`/api/v1/webhooks/${ownHook.id}`).expect(200)).body.data.enabled).toBe(true);

    // The next result goes to the user's own endpoint only.
    await bed.runTask(op);
    await waitFor(async () => bed.at('/own').length === 2, 10_000);
    await bed.runTask(op);
    await waitFor(async () => bed.at('/own').length === 3, 10_000);
    expect(bed.at('/from-key')).toHaveLength(1);

    await t.chainAudit();
    const entries = await t.dataSource.query(
      `SELECT action, resource_id AS "resourceId", details FROM audit_logs
        WHERE details->>'reason' = 'apikey.revoke' OR (action = 'apikey.revoke' AND resource_id = $1)
        ORDER BY id`,
      [keyId],
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'schedule.update', resourceId: made.id }),
        expect.objectContaining({ action: 'schedule.update', resourceId: touched.id }),
        expect.objectContaining({ action: 'webhook.update', resourceId: fromKey.id }),
        {
          action: 'apikey.revoke',
          resourceId: keyId,
          details: expect.objectContaining({ keptRunning: false, pausedSchedules: 2, disabledWebhooks: 1 }),
        },
      ]),
    );
    expect(entries).toHaveLength(4);
  }, 60_000);

  it('says what a revocation would stop, changing nothing, and counts as the revocation then does', async () => {
    const { id: keyId, key } = await newKey();
    const preview = async () =>
      (
        await request(t.http)
          .get(`/api/v1/api-keys/${keyId}/revocation`)
          .set(...bearer(op))
          .expect(200)
      ).body.data;
    expect(await preview()).toEqual({ pausedSchedules: 0, disabledWebhooks: 0, pausedWorkflowTriggers: 0 });
    const first = (await asKey(key).post('/api/v1/schedules', schedule('first')).expect(201)).body.data;
    await asKey(key).post('/api/v1/schedules', schedule('second')).expect(201);
    await asKey(key)
      .post('/api/v1/webhooks', { url: `${url}/preview`, events: ['task.failed'] })
      .expect(201);
    await asKey(key)
      .post('/api/v1/workflows', {
        name: 'preview',
        steps: [{ id: 'a', agentId: calc, input: { expression: '1+1' } }],
        triggers: [{ on: 'task.failed', agentId: calc }],
      })
      .expect(201);
    // A schedule the signed-in user has since changed (here, paused) is theirs: not counted.
    await asUser.patch(`/api/v1/schedules/${first.id}`, { paused: true }).expect(200);
    const counts = await preview();
    expect(counts).toEqual({ pausedSchedules: 1, disabledWebhooks: 1, pausedWorkflowTriggers: 1 });
    expect(await preview()).toEqual(counts);

    // Another user's key is no one's to look at; a malformed id is refused.
    const other = await createUser(t, 'operator');
    await request(t.http)
      .get(`/api/v1/api-keys/${keyId}/revocation`)
      .set(...bearer(other))
      .expect(404);
    await request(t.http)
      .get('/api/v1/api-keys/not-an-id/revocation')
      .set(...bearer(op))
      .expect(400);

    await revoke(keyId).expect(204);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT details FROM audit_logs WHERE action = 'apikey.revoke' AND resource_id = $1`,
      [keyId],
    );
    expect(entry.details).toMatchObject(counts);
    await request(t.http)
      .get(`/api/v1/api-keys/${keyId}/revocation`)
      .set(...bearer(op))
      .expect(404);
  }, 60_000);

  it('resuming by a signed-in user clears the reason and the key, and the schedule fires again', async () => {
    const { id: keyId, key } = await newKey();
    const made = (await asKey(key).post('/api/v1/schedules', schedule('resumed later')).expect(201)).body.data;
    await revoke(keyId).expect(204);
    const resumed = (await asUser.patch(`/api/v1/schedules/${made.id}`, { paused: false }).expect(200)).body.data;
    expect(resumed).toMatchObject({ paused: false, pausedReason: null, changedWithApiKeyId: null });
    expect(resumed.nextFires).toHaveLength(5);
    expect(await t.app.get(ScheduleQueue).queue.getJobScheduler(made.id)).toBeDefined();
  });

  it('keeps them running when asked (a rotation), and says so in the audit entry', async () => {
    const { id: keyId, key } = await newKey();
    const made = (await asKey(key).post('/api/v1/schedules', schedule('kept')).expect(201)).body.data;
    const bad = await revoke(keyId, '?keepRunning=yes').expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await asUser.get('/api/v1/api-keys').expect(200)).body.data.map((k: { id: string }) => k.id)).toContain(
      keyId,
    );
    await revoke(keyId, '?keepRunning=true').expect(204);
    expect(await scheduleRow(made.id)).toMatchObject({ paused: false, pausedReason: null });
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT details FROM audit_logs WHERE action = 'apikey.revoke' AND resource_id = $1 AND outcome = 'success'`,
      [keyId],
    );
    expect(entry.details).toEqual({ prefix: expect.any(String), keptRunning: true });
  });

  it('pauses the triggers of the workflows a key made or changed; setting them again resumes them', async () => {
    const steps = (await createAgent(t, op, { type: 'calculator' })).id;
    const definition = (name: string) => ({
      name,
      steps: [{ id: 'a', agentId: steps, input: { expression: '1+1' } }],
      triggers: [{ on: 'task.succeeded', agentId: calc }],
    });
    const runsOf = async (workflowId: string): Promise<number> =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_runs WHERE workflow_id = $1`, [workflowId]))[0]
        .n;
    const { id: keyId, key } = await newKey();
    const fromKey = (await asKey(key).post('/api/v1/workflows', definition('from the key')).expect(201)).body.data;
    expect(fromKey).toMatchObject({ changedWithApiKeyId: keyId, triggersPausedReason: null });
    // The user's own workflow on the same trigger tells when a finished task's triggers have been handled.
    const own = (await asUser.post('/api/v1/workflows', definition('mine')).expect(201)).body.data;
    await bed.runTask(op);
    await waitFor(async () => (await runsOf(fromKey.id)) === 1 && (await runsOf(own.id)) === 1, 10_000);

    await revoke(keyId).expect(204);
    const paused = (await asUser.get(`/api/v1/workflows/${fromKey.id}`).expect(200)).body.data;
    expect(paused.triggersPausedReason).toBe('The API key that created or last changed the workflow was revoked');
    expect(paused.triggers).toEqual(fromKey.triggers);
    const after = await bed.runTask(op);
    await waitFor(async () => (await runsOf(own.id)) === 2, 10_000);
    expect(await runsOf(fromKey.id)).toBe(1);
    // Whenever its start would come (a queued one, the reconciler's), it is not owed.
    const start = { workflowId: fromKey.id, event: 'task.succeeded', sourceId: after };
    expect(await t.app.get(TriggerStarter).start(start)).toBe('not-due');
    expect(await runsOf(fromKey.id)).toBe(1);

    // Set again by the signed-in user, the triggers run from then on.
    const resumed = (await asUser.patch(`/api/v1/workflows/${fromKey.id}`, { triggers: fromKey.triggers }).expect(200))
      .body.data;
    expect(resumed).toMatchObject({ triggersPausedReason: null, changedWithApiKeyId: null });
    await bed.runTask(op);
    await waitFor(async () => (await runsOf(fromKey.id)) === 2 && (await runsOf(own.id)) === 3, 10_000);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT details FROM audit_logs WHERE action = 'apikey.revoke' AND resource_id = $1`,
      [keyId],
    );
    expect(entry.details).toMatchObject({ pausedWorkflowTriggers: 1, pausedSchedules: 0, disabledWebhooks: 0 });
  }, 60_000);

  it('leaves alone the workflows of a key with no triggers, deleted or with their triggers paused already', async () => {
    const { id: keyId, key } = await newKey();
    const definition = (name: string, triggers: object[]) => ({
      name,
      steps: [{ id: 'a', agentId: calc, input: { expression: '1+1' } }],
      triggers,
    });
    const on = [{ on: 'task.succeeded', agentId: calc }];
    const made = async (name: string, triggers: object[]): Promise<string> =>
      (await asKey(key).post('/api/v1/workflows', definition(name, triggers)).expect(201)).body.data.id;
    await made('no triggers', []);
    const deleted = await made('deleted', on);
    const pausedBefore = await made('paused before', on);
    await t.dataSource.query(`UPDATE workflows SET deleted_at = now() WHERE id = $1`, [deleted]);
    await t.dataSource.query(`UPDATE workflows SET triggers_paused_reason = 'before' WHERE id = $1`, [pausedBefore]);
    const rows = async () =>
      (await t.dataSource.query(
        `SELECT id, triggers_paused_reason AS reason, updated_at AS "updatedAt" FROM workflows
          WHERE changed_with_key_id = $1 ORDER BY id`,
        [keyId],
      )) as { id: string; reason: string | null; updatedAt: Date }[];
    const before = await rows();
    expect(before.map((row) => row.reason).sort()).toEqual(['before', null, null]);

    await revoke(keyId).expect(204);
    expect(await rows()).toEqual(before);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT details FROM audit_logs WHERE action = 'apikey.revoke' AND resource_id = $1`,
      [keyId],
    );
    expect(entry.details).toMatchObject({ pausedWorkflowTriggers: 0 });
  });

  it('leaves nothing running that a key made while it was being revoked', async () => {
    const { id: keyId, key } = await newKey();
    // Creations spread around the revocation: some commit before it, some wait for it, some come after.
    const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const creating = Array.from({ length: 16 }, async (_, i) => {
      await after(i * 10);
      return asKey(key).post('/api/v1/schedules', schedule(`race ${i}`));
    });
    const revoking = after(60).then(() => revoke(keyId));
    const [revoked, ...made] = await Promise.all([revoking, ...creating]);
    expect(revoked.status).toBe(204);
    for (const res of made) expect([201, 401]).toContain(res.status);
    const rows = await t.dataSource.query(`SELECT paused FROM schedules WHERE changed_with_key_id = $1`, [keyId]);
    expect(rows.length).toBe(made.filter((res) => res.status === 201).length);
    expect(rows.every((row: { paused: boolean }) => row.paused)).toBe(true);
  });
});
