import request from 'supertest';
import { scheduleTestBed } from './factories/schedules';
import { bearer, type TestUser } from './factories/users';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** What a leaked key tries against its own revocation, and a revocation of a key that made a great many things. */
describe('API key revocation, against a leaked key', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    // The sync as rarely as it may run: one putting the 70,000 schedules below in Redis while their key's
    // revocation pauses them holds the revocation up past the request's deadline.
    ({ t, op, calc } = await scheduleTestBed({ SCHEDULE_SYNC_INTERVAL_MS: '600000' }));
  });

  afterAll(async () => {
    await t?.close();
  });

  async function newKey(scopes: string[]): Promise<{ id: string; key: string }> {
    const res = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(op))
      .send({ name: 'leaked', scopes })
      .expect(201);
    return { id: res.body.data.id, key: res.body.data.key };
  }
  const schedule = () => ({
    name: 'made by the key',
    target: { agentId: calc, input: { expression: '1+1' } },
    everyMs: 3_600_000,
  });
  const pausedOf = async (id: string): Promise<boolean> =>
    (await t.dataSource.query(`SELECT paused FROM schedules WHERE id = $1`, [id]))[0].paused;

  it('cannot revoke itself keeping what it made running; revoking itself stops it', async () => {
    const { id, key } = await newKey(['apikeys:manage', 'schedules:write', 'agents:read', 'tasks:write']);
    const made = (await request(t.http).post('/api/v1/schedules').set('X-API-Key', key).send(schedule()).expect(201))
      .body.data;
    const refused = await request(t.http).delete(`/api/v1/api-keys/${id}?keepRunning=true`).set('X-API-Key', key);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Keeping what a revoked key set running takes a signed-in user, not an API key',
    });
    const [{ revoked }] = await t.dataSource.query(
      `SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1`,
      [id],
    );
    expect(revoked).toBe(false);
    expect(await pausedOf(made.id)).toBe(false);
    await request(t.http).delete(`/api/v1/api-keys/${id}`).set('X-API-Key', key).expect(204);
    expect(await pausedOf(made.id)).toBe(true);
    await request(t.http).get('/api/v1/schedules').set('X-API-Key', key).expect(401);
  });

  it('may disable or delete a hook, not enable it again nor raise its limit', async () => {
    const hook = (
      await request(t.http)
        .post('/api/v1/hooks')
        .set(...bearer(op))
        .send({ name: 'ci', target: { agentId: calc }, auth: 'bearer', enabled: false })
        .expect(201)
    ).body.data;
    const { key } = await newKey(['hooks:read', 'hooks:write']);
    const patch = (body: object) => request(t.http).patch(`/api/v1/hooks/${hook.id}`).set('X-API-Key', key).send(body);
    for (const body of [{ enabled: true }, { rateLimitPerMinute: 10_000 }, { name: 'renamed', enabled: false }]) {
      const res = await patch(body);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'Changing an inbound hook, other than disabling it, takes a signed-in user, not an API key',
      );
    }
    const [row] = await t.dataSource.query(`SELECT enabled, name FROM inbound_hooks WHERE id = $1`, [hook.id]);
    expect(row).toEqual({ enabled: false, name: 'ci' });
    await patch({ enabled: false }).expect(200);
    await request(t.http).delete(`/api/v1/hooks/${hook.id}`).set('X-API-Key', key).expect(204);
  });

  /**
   * Holds the key's row as a revocation does, until `call` waits on it (its statement matching `waiting`), then
   * revokes the key and lets go: what `call` answers.
   */
  async function revokedWhileWaiting(keyId: string, waiting: string, call: () => request.Test) {
    const revocation = t.dataSource.createQueryRunner();
    await revocation.connect();
    await revocation.startTransaction();
    try {
      await revocation.query(`SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE`, [keyId]);
      const answer = call().then((res) => res);
      await waitFor(
        async () =>
          (
            await t.dataSource.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
              [`%${waiting}%`],
            )
          )[0].n > 0,
        10_000,
      );
      await revocation.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [keyId]);
      await revocation.commitTransaction();
      return await answer;
    } finally {
      if (revocation.isTransactionActive) await revocation.rollbackTransaction();
      await revocation.release();
    }
  }

  it('refuses a change made with a key whose revocation commits while the change waits for it', async () => {
    const { id, key } = await newKey(['schedules:read', 'schedules:write', 'agents:read', 'tasks:write']);
    // Used once, so that the next call does not write its last use (that wait is the next test's).
    await request(t.http).get('/api/v1/schedules').set('X-API-Key', key).expect(200);
    const res = await revokedWhileWaiting(id, 'FOR KEY SHARE', () =>
      request(t.http).post('/api/v1/schedules').set('X-API-Key', key).send(schedule()),
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'This API key has been revoked' });
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM schedules WHERE changed_with_key_id = $1`,
      [id],
    );
    expect(n).toBe(0);
  });

  it('refuses a call whose key is revoked while the call notes the key’s use', async () => {
    const { id, key } = await newKey(['schedules:read']);
    const res = await revokedWhileWaiting(id, 'last_used_at', () =>
      request(t.http).get('/api/v1/schedules').set('X-API-Key', key),
    );
    expect(res.status).toBe(401);
  });

  it('revokes a key that made more records than one statement can name, each with its audit entry', async () => {
    const { id, key } = await newKey(['schedules:write', 'agents:read', 'tasks:write']);
    const made = (await request(t.http).post('/api/v1/schedules').set('X-API-Key', key).send(schedule()).expect(201))
      .body.data;
    // 70,000 schedules in all, past PostgreSQL's 65,535 parameters of a statement.
    await t.dataSource.query(
      `INSERT INTO schedules (name, agent_id, workflow_id, tags, input, cron, every_ms, timezone, start_at, end_at,
                              paused, overlap, fired_until, created_by, changed_with_key_id)
       SELECT name, agent_id, workflow_id, tags, input, cron, every_ms, timezone, start_at, end_at,
              paused, overlap, fired_until, created_by, changed_with_key_id
         FROM schedules, generate_series(1, 69999) WHERE id = $1`,
      [made.id],
    );
    await request(t.http)
      .delete(`/api/v1/api-keys/${id}`)
      .set(...bearer(op))
      .expect(204);
    const [counts] = await t.dataSource.query(
      `SELECT count(*)::int AS made, count(*) FILTER (WHERE paused)::int AS paused FROM schedules
        WHERE changed_with_key_id = $1`,
      [id],
    );
    expect(counts).toEqual({ made: 70_000, paused: 70_000 });
    // Written or already chained: read both in one statement.
    const [{ entries }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM audit_pending WHERE details->>'revokedKeyId' = $1)
            + (SELECT count(*) FROM audit_logs WHERE details->>'revokedKeyId' = $1) AS entries`,
      [id],
    );
    expect(Number(entries)).toBe(70_000);
  }, 120_000);

  it('audits a malformed id as the 400 it was answered with, without the text as its resource', async () => {
    await request(t.http)
      .delete(`/api/v1/api-keys/${encodeURIComponent("' or 1=1--")}`)
      .set(...bearer(op))
      .expect(400);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT resource_id AS "resourceId", details FROM audit_logs
        WHERE action = 'apikey.revoke' AND outcome = 'failure' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry).toEqual({ resourceId: null, details: { error: 'BAD_REQUEST' } });
  });
});
