import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import type { TestApp } from './utils/test-app';
import { type ScheduleTestBed, scheduleTestBed, type ScheduleView } from './factories/schedules';
import { createAgent } from './factories/tasks';
import { createWorkflow } from './factories/workflows';

describe('schedules', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let create: ScheduleTestBed['create'];
  let viewer: TestUser;

  beforeAll(async () => {
    ({ t, op, calc, create } = await scheduleTestBed());
    viewer = await createUser(t, 'viewer');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a schedule with every problem named, and stores nothing', async () => {
    const res = await create({
      name: 'bad',
      target: { agentId: calc, input: { expression: 42 } },
      cron: '61 * * * *',
      timezone: 'Mars/Olympus',
      startAt: '2030-01-02T00:00:00Z',
      endAt: '2030-01-01T00:00:00Z',
    }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      '/cron',
      '/endAt',
      '/target/input/expression',
      '/timezone',
    ]);
    const both = await create({ name: 'x', target: { input: {} }, cron: '* * * * *', everyMs: 1000 }).expect(400);
    expect(both.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['/cron', '/target']);
    const badCron = await create({ name: 'x', target: { agentId: calc, input: { expression: '1' } }, cron: '* * *' });
    expect(badCron.status).toBe(400);
    expect(badCron.body.error.details).toEqual([{ field: '/cron', message: expect.stringMatching(/5 fields/) }]);
    const unknown = await create({
      name: 'x',
      target: { workflowId: '00000000-0000-4000-8000-000000000000', input: {} },
      everyMs: 60_000,
    }).expect(400);
    expect(unknown.body.error.details).toEqual([{ field: '/target/workflowId', message: 'no workflow with this id' }]);
    // An end already past (it would never fire), and a tag given twice.
    const fine = { name: 'x', target: { agentId: calc, input: { expression: '1' } }, everyMs: 60_000 };
    const ended = await create({ ...fine, endAt: new Date(Date.now() - 1000).toISOString() }).expect(400);
    expect(ended.body.error.details).toEqual([{ field: '/endAt', message: 'must be in the future' }]);
    const tooSoon = await create({ ...fine, endAt: new Date(Date.now() + 30_000).toISOString() }).expect(400);
    expect(tooSoon.body.error.details).toEqual([
      { field: '/endAt', message: 'comes before the first fire: the schedule would never fire' },
    ]);
    const twice = await create({ ...fine, tags: ['nightly', 'nightly'] }).expect(400);
    expect(twice.body.error.details).toEqual([{ field: '/tags', message: 'each tag may be given once' }]);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM schedules`)).toEqual([{ n: 0 }]);
  });

  it('stores a cron pattern one space apart, and refuses one with other characters between its fields', async () => {
    const target = { agentId: calc, input: { expression: '1' } };
    const spaced = await create({ name: 'spaced', target, cron: ' 0  9\t* * 1-5 ' }).expect(201);
    expect(spaced.body.data.cron).toBe('0 9 * * 1-5');
    const [stored] = await t.dataSource.query(`SELECT cron FROM schedules WHERE id = $1`, [spaced.body.data.id]);
    expect(stored.cron).toBe('0 9 * * 1-5');
    const changed = await request(t.http)
      .patch(`/api/v1/schedules/${spaced.body.data.id}`)
      .set(...bearer(op))
      .send({ cron: '\t*/5 * * * *\t' })
      .expect(200);
    expect(changed.body.data.cron).toBe('*/5 * * * *');
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM schedules`);
    for (const cron of ['0 9\n* * *', '0\u00a09 * * *', ' \t ']) {
      const res = await create({ name: 'bad', target, cron }).expect(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/cron']);
    }
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM schedules`)).toEqual(before);
    await request(t.http)
      .delete(`/api/v1/schedules/${spaced.body.data.id}`)
      .set(...bearer(op))
      .expect(204);
  });

  it('keeps schedules per user: created, shown with the next 5 fires in its zone, changed, deleted, audited', async () => {
    const created = await create({
      name: 'weekday mornings',
      target: { agentId: calc, input: { expression: '1 + 1' } },
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
    }).expect(201);
    const schedule = created.body.data as ScheduleView;
    expect(schedule.nextFires).toHaveLength(5);
    for (const fire of schedule.nextFires) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
        weekday: 'short',
      }).format(new Date(fire));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    }
    expect([...schedule.nextFires].sort()).toEqual(schedule.nextFires);

    await request(t.http)
      .get(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .expect(200);
    const other = await createUser(t, 'operator');
    await request(t.http)
      .get(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(other))
      .expect(404);
    await create({ name: 'v', target: { agentId: calc, input: { expression: '1' } }, everyMs: 60_000 }, viewer).expect(
      403,
    );
    const viewerList = await request(t.http)
      .get('/api/v1/schedules')
      .set(...bearer(viewer))
      .expect(200);
    expect(viewerList.body.meta.total).toBe(0);

    const paused = await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ paused: true, name: 'paused mornings' })
      .expect(200);
    expect(paused.body.data).toMatchObject({ paused: true, name: 'paused mornings', nextFires: [] });
    await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ cron: 'not a pattern' })
      .expect(400);
    // A change may end a schedule at once, and an ended one may still be changed.
    const ended = await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ endAt: '2020-01-01T00:00:00Z', paused: false })
      .expect(200);
    expect(ended.body.data).toMatchObject({ endAt: '2020-01-01T00:00:00.000Z', nextFires: [] });
    await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ name: 'ended mornings', endAt: '2020-01-01T00:00:00Z' })
      .expect(200);

    await request(t.http)
      .delete(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .expect(204);
    await request(t.http)
      .get(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .expect(404);
    await t.chainAudit();
    const actions = (await t.dataSource.query(
      `SELECT action, actor_id AS actor, details->'fields' AS fields FROM audit_logs WHERE resource_id = $1
       ORDER BY timestamp`,
      [schedule.id],
    )) as { action: string; actor: string; fields: string[] | null }[];
    // Each change names the fields it was sent, not every field a change may take.
    expect(actions).toEqual([
      { action: 'schedule.create', actor: op.id, fields: null },
      { action: 'schedule.update', actor: op.id, fields: ['name', 'paused'] },
      // The refused pattern: its entry records the failure.
      { action: 'schedule.update', actor: op.id, fields: null },
      { action: 'schedule.update', actor: op.id, fields: ['endAt', 'paused'] },
      { action: 'schedule.update', actor: op.id, fields: ['name', 'endAt'] },
      { action: 'schedule.delete', actor: op.id, fields: null },
    ]);
  });

  it('takes periods of a month and of a year, beyond a 32-bit count of milliseconds', async () => {
    const month = 30 * 24 * 3_600_000;
    const created = await create({
      name: 'monthly',
      target: { agentId: calc, input: { expression: '1 + 1' } },
      everyMs: month,
    }).expect(201);
    const schedule = created.body.data as ScheduleView & { everyMs: number };
    expect(schedule.everyMs).toBe(month);
    const times = schedule.nextFires.map((fire) => Date.parse(fire));
    expect(times.slice(1).map((time, i) => time - times[i])).toEqual([month, month, month, month]);

    const year = 366 * 24 * 3_600_000;
    const changed = await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ everyMs: year })
      .expect(200);
    expect(changed.body.data.everyMs).toBe(year);
    const [row] = await t.dataSource.query(`SELECT every_ms::text AS "everyMs" FROM schedules WHERE id = $1`, [
      schedule.id,
    ]);
    expect(row.everyMs).toBe(String(year));
    await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ everyMs: year + 1 })
      .expect(400);
  });

  it('lists schedules by paused, tag and target, refuses unknown filters, and keeps fire history to the owner', async () => {
    const wf = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: `wf-filter-${Date.now()}`, steps: [{ id: 'a', agentId: calc, input: { expression: '1' } }] })
      .expect(201);
    const tag = `night-${Date.now()}`;
    const paused = (
      await create({
        name: 'paused nightly',
        target: { agentId: calc, input: { expression: '1' } },
        cron: '0 3 * * *',
        paused: true,
        tags: [tag],
      }).expect(201)
    ).body.data as ScheduleView;
    const runs = (
      await create({
        name: 'nightly runs',
        target: { workflowId: wf.body.data.id, input: {} },
        cron: '0 3 * * *',
        tags: [tag],
      }).expect(201)
    ).body.data as ScheduleView;
    const ids = async (query: string, user = op): Promise<string[]> =>
      (
        (
          await request(t.http)
            .get(`/api/v1/schedules?${query}`)
            .set(...bearer(user))
            .expect(200)
        ).body.data as ScheduleView[]
      ).map((s) => s.id);
    expect(await ids(`tag=${tag}`)).toEqual([runs.id, paused.id]);
    expect(await ids(`tag=${tag}&paused=true`)).toEqual([paused.id]);
    expect(await ids(`tag=${tag}&paused=false`)).toEqual([runs.id]);
    expect(await ids(`tag=${tag}&target=workflow`)).toEqual([runs.id]);
    expect(await ids(`tag=${tag}&agentId=${calc}`)).toEqual([paused.id]);
    expect(await ids(`tag=${tag}&workflowId=${wf.body.data.id as string}`)).toEqual([runs.id]);
    expect(await ids(`tag=${tag}`, viewer)).toEqual([]);
    for (const bad of ['paused=maybe', 'target=cron', 'agentId=x', 'colour=red', `tag=${'x'.repeat(65)}`]) {
      const res = await request(t.http)
        .get(`/api/v1/schedules?${bad}`)
        .set(...bearer(op))
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    // A schedule's history is its owner's: others get 404, as for the schedule.
    await request(t.http)
      .get(`/api/v1/schedules/${paused.id}/fires`)
      .set(...bearer(viewer))
      .expect(404);
    const empty = await request(t.http)
      .get(`/api/v1/schedules/${paused.id}/fires`)
      .set(...bearer(op))
      .expect(200);
    expect(empty.body.data).toEqual([]);
    for (const id of [paused.id, runs.id]) {
      await request(t.http)
        .delete(`/api/v1/schedules/${id}`)
        .set(...bearer(op))
        .expect(204);
    }
  });

  it('pauses and renames a schedule whose agent was deleted, and refuses to resume it', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const created = await create({
      name: 'orphan',
      target: { agentId: agent.id, input: { expression: '1' } },
      everyMs: 3_600_000,
      paused: false,
    }).expect(201);
    const id = (created.body.data as ScheduleView).id;
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    const patch = (body: object) =>
      request(t.http)
        .patch(`/api/v1/schedules/${id}`)
        .set(...bearer(op))
        .send(body);

    const paused = await patch({ paused: true, name: 'orphan, paused' }).expect(200);
    expect(paused.body.data).toEqual(expect.objectContaining({ paused: true, name: 'orphan, paused' }));
    const resumed = await patch({ paused: false });
    expect(resumed.status).toBe(409);
    expect(resumed.body.error.code).toBe('CONFLICT');
    const [row] = await t.dataSource.query(`SELECT paused, name FROM schedules WHERE id = $1`, [id]);
    expect(row).toEqual({ paused: true, name: 'orphan, paused' });

    // A new schedule of the deleted agent is refused the same way, and the document says so for both routes.
    const refused = await create({
      name: 'late',
      target: { agentId: agent.id, input: { expression: '1' } },
      everyMs: 60_000,
    });
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'CONFLICT' });
    const doc = (await request(t.http).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/api/v1/schedules'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/api/v1/schedules/{id}'].patch.responses)).toContain('409');
  });

  it('refuses to resume, or to create, a schedule of a workflow whose step agent was deleted, as a run is refused', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const workflowId = await createWorkflow(t, op, {
      name: `wf-orphan-${Date.now()}`,
      steps: [
        { id: 'first', agentId: calc, input: { expression: '1' } },
        { id: 'gone', agentId: agent.id, input: { expression: '2' }, dependsOn: ['first'] },
      ],
    });
    const target = { workflowId, input: {} };
    const id = (
      (await create({ name: 'orphan run', target, everyMs: 3_600_000, paused: true }).expect(201)).body
        .data as ScheduleView
    ).id;
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);

    const resumed = await request(t.http)
      .patch(`/api/v1/schedules/${id}`)
      .set(...bearer(op))
      .send({ paused: false });
    expect({ status: resumed.status, code: resumed.body.error.code }).toEqual({ status: 409, code: 'CONFLICT' });
    expect(resumed.body.error.message).toContain('step gone has been deleted');
    const [row] = await t.dataSource.query(`SELECT paused FROM schedules WHERE id = $1`, [id]);
    expect(row.paused).toBe(true);
    const refused = await create({ name: 'late run', target, everyMs: 60_000 });
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'CONFLICT' });
  });
});
