import request from 'supertest';
import { ScheduleFiring } from '../src/schedules/schedule-firing';
import { createAgent } from './factories/tasks';
import { createWorkflow } from './factories/workflows';
import { bearer } from './factories/users';
import { type ScheduleTestBed, scheduleTestBed, type ScheduleView } from './factories/schedules';
import { waitFor } from './utils/wait-for';
import { storeRecords } from './factories/files';

/**
 * A schedule whose target reads a stored file (a data-processor task with `file`, or a workflow with such a step)
 * reads it at every fire: setting one with an API key takes `files:read`, as starting the target directly does,
 * and its fires stay within the scopes of the key that created or last changed it.
 */
describe('schedules that read a file, set with API keys', () => {
  let bed: ScheduleTestBed;
  let processor: string;
  let overFile: { agentId: string; input: Record<string, unknown> };
  let readingWorkflow: string;
  /** Scopes to set any schedule but one that reads a file. */
  const SCHEDULING = ['schedules:write', 'schedules:read', 'tasks:write', 'workflows:write', 'workflows:read'];
  const hourly = { cron: '0 * * * *' };

  beforeAll(async () => {
    bed = await scheduleTestBed();
    const { t, op } = bed;
    processor = (await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } })).id;
    const file = await storeRecords(t, op, [{ name: 'a' }, { name: 'b' }]);
    overFile = { agentId: processor, input: { file, pipeline: [{ limit: { count: 1 } }] } };
    readingWorkflow = await createWorkflow(t, op, { steps: [{ id: 'read', ...overFile }] });
  }, 60_000);
  afterAll(async () => {
    await bed?.t.close();
  });

  const keyWith = async (...scopes: string[]): Promise<{ id: string; key: string }> =>
    (
      await request(bed.t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(bed.op))
        .send({ name: `files-${Math.random().toString(36).slice(2, 8)}`, scopes })
        .expect(201)
    ).body.data;
  const withKey = (key: string) => ({
    create: (body: Record<string, unknown>) =>
      request(bed.t.http).post('/api/v1/schedules').set('X-API-Key', key).send(body),
    update: (id: string, body: Record<string, unknown>) =>
      request(bed.t.http).patch(`/api/v1/schedules/${id}`).set('X-API-Key', key).send(body),
  });
  const expectFilesForbidden = (res: request.Response): void => {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(res.body.error.message).toMatch(/^A schedule that starts .* takes the files:read permission/);
  };
  const count = async (table: string): Promise<number> =>
    (await bed.t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const row = async (id: string) =>
    (
      await bed.t.dataSource.query(
        `SELECT name, paused, paused_reason AS "pausedReason", agent_id AS "agentId", workflow_id AS "workflowId",
                input, changed_with_key_id AS "keyId" FROM schedules WHERE id = $1`,
        [id],
      )
    )[0];

  it('refuses a key without files:read a schedule of a task or a workflow that reads a file: 403, nothing stored', async () => {
    const narrow = withKey((await keyWith(...SCHEDULING)).key);
    const before = await count('schedules');
    expectFilesForbidden(await narrow.create({ name: 'task over a file', target: overFile, ...hourly }));
    expectFilesForbidden(await narrow.create({ name: 'paused too', target: overFile, paused: true, ...hourly }));
    expectFilesForbidden(
      await narrow.create({ name: 'run over a file', target: { workflowId: readingWorkflow, input: {} }, ...hourly }),
    );
    expect(await count('schedules')).toBe(before);
    // Audited as denied, as the other refusals of a key's scopes are (written once the response has gone).
    await waitFor(async () => {
      const [denied] = await bed.t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'schedule.create' AND outcome = 'denied'`,
      );
      return denied.n === 3;
    });
    // Records inline read no file: the same key sets that schedule.
    const inline = { agentId: processor, input: { records: [{ n: 1 }], pipeline: [] } };
    await narrow.create({ name: 'records inline', target: inline, ...hourly }).expect(201);
    expect(await count('schedules')).toBe(before + 1);
  });

  it('accepts a key with files:read, for a task and a workflow that read a file', async () => {
    const wide = await keyWith(...SCHEDULING, 'files:read');
    const onTask = (
      await withKey(wide.key)
        .create({ name: 'reads', target: overFile, ...hourly })
        .expect(201)
    ).body.data;
    const onRuns = (
      await withKey(wide.key)
        .create({ name: 'runs read', target: { workflowId: readingWorkflow, input: {} }, ...hourly })
        .expect(201)
    ).body.data;
    expect(await row(onTask.id)).toMatchObject({ agentId: processor, input: overFile.input, keyId: wide.id });
    expect(await row(onRuns.id)).toMatchObject({ workflowId: readingWorkflow, keyId: wide.id });
    // Its fires read the file: the task is made.
    const fired = await bed.t.app.get(ScheduleFiring).fire(onTask.id, new Date(onTask.nextFires[0]));
    expect(fired).toBe('made');
  });

  it('refuses a key without files:read a change that leaves a schedule reading a file and firing', async () => {
    const { t, op, calc } = bed;
    const narrow = withKey((await keyWith(...SCHEDULING)).key);
    const onCalc = (
      await narrow
        .create({ name: 'calc', target: { agentId: calc, input: { expression: '1' } }, ...hourly })
        .expect(201)
    ).body.data as ScheduleView;
    expectFilesForbidden(await narrow.update(onCalc.id, { target: overFile }));
    expectFilesForbidden(await narrow.update(onCalc.id, { target: { workflowId: readingWorkflow, input: {} } }));
    expect(await row(onCalc.id)).toMatchObject({ agentId: calc, workflowId: null, input: { expression: '1' } });

    // One the user set while signed in: the key would make it fire with its scopes, so it may only pause it.
    const users = (
      await request(t.http)
        .post('/api/v1/schedules')
        .set(...bearer(op))
        .send({ name: 'the user’s', target: overFile, ...hourly })
        .expect(201)
    ).body.data as ScheduleView;
    expectFilesForbidden(await narrow.update(users.id, { name: 'renamed' }));
    expect(await row(users.id)).toMatchObject({ name: 'the user’s', paused: false, keyId: null });
    await narrow.update(users.id, { paused: true, name: 'paused by a key' }).expect(200);
    expectFilesForbidden(await narrow.update(users.id, { paused: false }));
    expect(await row(users.id)).toMatchObject({ name: 'paused by a key', paused: true });
    await request(t.http)
      .patch(`/api/v1/schedules/${users.id}`)
      .set(...bearer(op))
      .send({ paused: false })
      .expect(200);
    expect(await row(users.id)).toMatchObject({ paused: false, keyId: null });

    const wide = await keyWith(...SCHEDULING, 'files:read');
    await withKey(wide.key).update(onCalc.id, { target: overFile }).expect(200);
    expect(await row(onCalc.id)).toMatchObject({ agentId: processor, input: overFile.input, keyId: wide.id });
  });

  it('pauses, without running it, a key’s schedule whose workflow reads a file since; a user’s fires read it', async () => {
    const { t, op, calc } = bed;
    const narrow = await keyWith(...SCHEDULING);
    const workflow = await createWorkflow(t, op, { steps: [{ id: 'a', agentId: calc, input: { expression: '1' } }] });
    const byKey = (
      await withKey(narrow.key)
        .create({ name: 'runs', target: { workflowId: workflow, input: {} }, ...hourly })
        .expect(201)
    ).body.data as ScheduleView;
    const byUser = (
      await request(t.http)
        .post('/api/v1/schedules')
        .set(...bearer(op))
        .send({ name: 'runs', target: { workflowId: workflow, input: {} }, ...hourly })
        .expect(201)
    ).body.data as ScheduleView;
    // The workflow's creator, who may read the file, makes its step read it.
    await request(t.http)
      .patch(`/api/v1/workflows/${workflow}`)
      .set(...bearer(op))
      .send({ steps: [{ id: 'a', ...overFile }] })
      .expect(200);

    const firing = t.app.get(ScheduleFiring);
    const runs = async () =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_runs WHERE workflow_id = $1`, [workflow]))[0]
        .n;
    const [first, second] = byKey.nextFires.map((at) => new Date(at));
    expect(await firing.fire(byKey.id, first)).toBe('failed');
    expect(await runs()).toBe(0);
    const shown = (
      await request(t.http)
        .get(`/api/v1/schedules/${byKey.id}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data;
    expect(shown).toMatchObject({
      paused: true,
      pausedReason: 'Its target reads a file, and the API key that created or last changed it does not hold files:read',
      changedWithApiKeyId: narrow.id,
    });
    const fires = (
      await request(t.http)
        .get(`/api/v1/schedules/${byKey.id}/fires`)
        .set(...bearer(op))
        .expect(200)
    ).body.data;
    expect(fires).toEqual([expect.objectContaining({ outcome: 'failed', error: 'FORBIDDEN', targetId: null })]);
    const [entry] = await t.dataSource.query(
      `SELECT actor_type, details FROM audit_pending WHERE action = 'schedule.update' AND resource_id = $1
       UNION ALL SELECT actor_type, details FROM audit_logs WHERE action = 'schedule.update' AND resource_id = $1`,
      [byKey.id],
    );
    expect(entry).toMatchObject({ actor_type: 'system', details: { paused: true, reason: 'apikey.scope' } });
    expect(await firing.fire(byKey.id, second)).toBe('not-due');

    // The user's own schedule fires as them, who hold files:read.
    expect(await firing.fire(byUser.id, new Date(byUser.nextFires[0]))).toBe('made');
    expect(await runs()).toBe(1);
    // Resumed by the user, the key's schedule fires as the user from then on.
    await request(t.http)
      .patch(`/api/v1/schedules/${byKey.id}`)
      .set(...bearer(op))
      .send({ paused: false })
      .expect(200);
    const resumed = (
      await request(t.http)
        .get(`/api/v1/schedules/${byKey.id}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as ScheduleView;
    expect(await firing.fire(byKey.id, new Date(resumed.nextFires[0]))).toBe('made');
    expect(await runs()).toBe(2);
  });
});
