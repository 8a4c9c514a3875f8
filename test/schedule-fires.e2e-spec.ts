import Redis from 'ioredis';
import request from 'supertest';
import { ScheduleFiring } from '../src/schedules/schedule-firing';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser, updateUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import {
  expectEachFireOnce,
  firesOf,
  type ScheduleTestBed,
  scheduleTestBed,
  type ScheduleView,
} from './factories/schedules';

describe('schedule fires', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let create: ScheduleTestBed['create'];

  beforeAll(async () => {
    ({ t, op, calc, create } = await scheduleTestBed());
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The audit entry of `action` on `resourceId`, chained or still pending. */
  async function madeBy(action: string, resourceId: string): Promise<Record<string, unknown>> {
    const [entry] = (await t.dataSource.query(
      `SELECT actor_type, actor_id, details FROM audit_pending WHERE action = $1 AND resource_id = $2
       UNION ALL SELECT actor_type, actor_id, details FROM audit_logs WHERE action = $1 AND resource_id = $2`,
      [action, resourceId],
    )) as Record<string, unknown>[];
    return entry;
  }

  it('fires every period, each fire once, and stops at once when paused', async () => {
    const schedule = (
      await create({
        name: 'every second',
        target: { agentId: calc, input: { expression: '6 * 7' } },
        everyMs: 1000,
        tags: ['scheduled'],
      }).expect(201)
    ).body.data as ScheduleView;
    const fires = await waitFor(async () => {
      const made = await firesOf(t, schedule.id);
      return made.length >= 3 && made;
    }, 15_000);
    expectEachFireOnce(fires, 1000);
    // Made by the platform for the schedule's creator: the entry names the schedule, the fire and the creator.
    expect(await madeBy('task.create', fires[0].id)).toEqual({
      actor_type: 'system',
      actor_id: null,
      details: { agentId: calc, createdBy: op.id, scheduleId: schedule.id, fireAt: fires[0].fireAt },
    });
    const tagged = (await t.dataSource.query(`SELECT DISTINCT tags FROM tasks WHERE metadata->>'scheduleId' = $1`, [
      schedule.id,
    ])) as { tags: string[] }[];
    expect(tagged).toEqual([{ tags: ['scheduled'] }]);
    // Fires fall on the schedule's slots: a period apart, counted from its creation.
    const [{ created_at: createdAt }] = (await t.dataSource.query(`SELECT created_at FROM schedules WHERE id = $1`, [
      schedule.id,
    ])) as { created_at: Date }[];
    const created = createdAt.getTime();
    expect((Date.parse(fires[0].fireAt) - created) % 1000).toBe(0);

    await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ paused: true })
      .expect(200);
    const pausedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = await firesOf(t, schedule.id);
    expect(after.filter((f) => Date.parse(f.fireAt) > pausedAt)).toEqual([]);
    const view = (
      await request(t.http)
        .get(`/api/v1/schedules/${schedule.id}`)
        .set(...bearer(op))
    ).body.data as ScheduleView;
    expect(view.lastTargetId).toBe(after.at(-1)!.id);
    const metrics = (await request(t.http).get('/metrics').expect(200)).text;
    const made = /schedule_fires_total\{outcome="made"\} (\d+)/.exec(metrics);
    expect(Number(made?.[1])).toBeGreaterThanOrEqual(after.length);
    expect(metrics).toMatch(/schedule_fire_lateness_seconds_count \d+/);
  });

  it('makes one task of a fire made twice at once, or again after a worker died before recording it', async () => {
    const schedule = (
      await create({
        name: 'hourly',
        target: { agentId: calc, input: { expression: '1' } },
        cron: '0 * * * *',
      }).expect(201)
    ).body.data as ScheduleView;
    const firing = t.app.get(ScheduleFiring);
    const fireAt = new Date(schedule.nextFires[0]);
    // Two workers given the same fire.
    await Promise.all([firing.fire(schedule.id, fireAt), firing.fire(schedule.id, fireAt)]);
    expect(await firesOf(t, schedule.id)).toHaveLength(1);
    // A worker that made the task and died before recording the fire: the fire is made again, by another.
    await t.dataSource.query(`UPDATE schedules SET fired_until = created_at WHERE id = $1`, [schedule.id]);
    expect(await firing.fire(schedule.id, fireAt)).toBe('made');
    const fires = await firesOf(t, schedule.id);
    expect(fires).toHaveLength(1);
    expect(fires[0].fireAt).toBe(fireAt.toISOString());
    // One line in the history for the fire, however often it was handled.
    const history = await t.dataSource.query(`SELECT outcome, target_id FROM schedule_fires WHERE schedule_id = $1`, [
      schedule.id,
    ]);
    expect(history).toEqual([{ outcome: 'made', target_id: fires[0].id }]);
  });

  it('makes nothing while its creator is deactivated or demoted to viewer: the fire fails with FORBIDDEN', async () => {
    const admin = await createUser(t, 'admin');
    const owner = await createUser(t, 'operator');
    const schedule = (
      await create(
        { name: 'owned', target: { agentId: calc, input: { expression: '1' } }, cron: '0 * * * *' },
        owner,
      ).expect(201)
    ).body.data as ScheduleView;
    const setOwner = (changes: Record<string, unknown>) => updateUser(t, admin, owner.id, changes);
    const firing = t.app.get(ScheduleFiring);
    const [first, second, third] = schedule.nextFires.map((at) => new Date(at));
    await setOwner({ isActive: false });
    expect(await firing.fire(schedule.id, first)).toBe('failed');
    await setOwner({ isActive: true, role: 'viewer' });
    expect(await firing.fire(schedule.id, second)).toBe('failed');
    await setOwner({ role: 'operator' });
    expect(await firing.fire(schedule.id, third)).toBe('made');
    const history = await t.dataSource.query(
      `SELECT outcome, error FROM schedule_fires WHERE schedule_id = $1 ORDER BY fire_at`,
      [schedule.id],
    );
    expect(history).toEqual([
      { outcome: 'failed', error: 'FORBIDDEN' },
      { outcome: 'failed', error: 'FORBIDDEN' },
      { outcome: 'made', error: null },
    ]);
    expect(await firesOf(t, schedule.id)).toHaveLength(1);
  });

  it('skips a fire while what the last one started is still going, when overlap is skip', async () => {
    const slow = (await createAgent(t, op, { type: 'calculator', concurrency: 1 })).id;
    await request(t.http)
      .patch(`/api/v1/agents/${slow}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const schedule = (
      await create({
        name: 'no overlap',
        target: { agentId: slow, input: { expression: '1' } },
        everyMs: 1000,
        overlap: 'skip',
      }).expect(201)
    ).body.data as ScheduleView;
    // The agent is paused: the first fire's task waits, so every later fire is skipped (two are waited for).
    const lastSkipped = await waitFor(async () => {
      const [seen] = (await t.dataSource.query(
        `SELECT count(*)::int AS n, max(fire_at) AS last FROM schedule_fires
          WHERE schedule_id = $1 AND outcome = 'skipped-overlap'`,
        [schedule.id],
      )) as { n: number; last: Date }[];
      return seen.n >= 2 ? seen.last : undefined;
    });
    expect(await firesOf(t, schedule.id)).toHaveLength(1);
    // A skipped fire still moves the schedule on.
    const [row] = (await t.dataSource.query(`SELECT last_fire_at FROM schedules WHERE id = $1`, [schedule.id])) as {
      last_fire_at: Date;
    }[];
    expect(row.last_fire_at.getTime()).toBeGreaterThanOrEqual(lastSkipped.getTime());
    // The history says what each fire came to: the first made the task, the later ones were skipped.
    const history = (
      await request(t.http)
        .get(`/api/v1/schedules/${schedule.id}/fires`)
        .set(...bearer(op))
        .expect(200)
    ).body;
    const lines = history.data as { outcome: string; targetId: string | null; fireAt: string }[];
    expect(history.meta.total).toBeGreaterThanOrEqual(2);
    const [made] = await firesOf(t, schedule.id);
    // The first fire (one period after the creation, which is no fire) made the task; every later one was skipped.
    expect(lines.map((l) => l.fireAt)).toEqual([...lines.map((l) => l.fireAt)].sort().reverse());
    expect(lines.at(-1)).toEqual(expect.objectContaining({ outcome: 'made', targetId: made.id, fireAt: made.fireAt }));
    expect(made.fireAt).toBe(schedule.nextFires[0]);
    const others = lines.slice(0, -1);
    expect(others.every((l) => l.outcome === 'skipped-overlap' && l.targetId === null)).toBe(true);
    await request(t.http)
      .delete(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .expect(204);
  });

  it('pauses, saying why, a schedule whose agent or workflow is gone, after the fire that found it', async () => {
    const agent = (await createAgent(t, op, { type: 'calculator' })).id;
    const wf = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: `gone-${Date.now()}`, steps: [{ id: 'a', agentId: calc, input: { expression: '1' } }] })
      .expect(201);
    // A step id may be 100 characters: the reason names as many steps as it holds, and counts the others.
    const [long, other] = ['b', 'c'].map((first) => first + 'x'.repeat(99));
    const stepAgent = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: `step-agent-gone-${Date.now()}`,
        steps: [
          { id: 'a', agentId: calc, input: { expression: '1' } },
          { id: long, agentId: agent, input: { expression: '1' }, dependsOn: ['a'] },
          { id: other, agentId: agent, input: { expression: '2' }, dependsOn: ['a'] },
        ],
      })
      .expect(201);
    const onAgent = (
      await create({ name: 'agent-gone', target: { agentId: agent, input: { expression: '1' } }, cron: '0 * * * *' })
    ).body.data as ScheduleView;
    const onWorkflow = (
      await create({ name: 'workflow-gone', target: { workflowId: wf.body.data.id, input: {} }, cron: '0 * * * *' })
    ).body.data as ScheduleView;
    const onStepAgent = (
      await create({
        name: 'step-agent-gone',
        target: { workflowId: stepAgent.body.data.id, input: {} },
        cron: '0 * * * *',
      })
    ).body.data as ScheduleView;
    expect([onAgent, onWorkflow, onStepAgent].map((v) => v.targetDeleted)).toEqual([false, false, false]);
    await request(t.http)
      .delete(`/api/v1/agents/${agent}`)
      .set(...bearer(op))
      .expect(204);
    await request(t.http)
      .delete(`/api/v1/workflows/${wf.body.data.id}`)
      .set(...bearer(op))
      .expect(204);
    // Said at once, in the list and each schedule, before any fire pauses them; the step's agent is not its target.
    const listed = await request(t.http)
      .get('/api/v1/schedules?limit=100')
      .set(...bearer(op))
      .expect(200);
    const deletedOf = (id: string): unknown =>
      (listed.body.data as ScheduleView[]).find((s) => s.id === id)?.targetDeleted;
    expect([onAgent, onWorkflow, onStepAgent].map(({ id }) => deletedOf(id))).toEqual([true, true, false]);
    const one = await request(t.http)
      .get(`/api/v1/schedules/${onAgent.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(one.body.data).toMatchObject({ paused: false, targetDeleted: true });
    const firing = t.app.get(ScheduleFiring);
    for (const [schedule, reason] of [
      [onAgent, 'Its agent was deleted'],
      [onWorkflow, 'Its workflow was deleted'],
      [onStepAgent, `The agent of steps ${long} and 1 more has been deleted`],
    ] as const) {
      const [first, second] = schedule.nextFires.map((at) => new Date(at));
      expect(await firing.fire(schedule.id, first)).toBe('failed');
      const now = await request(t.http)
        .get(`/api/v1/schedules/${schedule.id}`)
        .set(...bearer(op))
        .expect(200);
      expect(now.body.data).toMatchObject({ paused: true, pausedReason: reason });
      // Paused: the next fire is not made, nor failed again.
      expect(await firing.fire(schedule.id, second)).toBe('not-due');
      const [entry] = await t.dataSource.query(
        `SELECT actor_type, details FROM audit_pending WHERE action = 'schedule.update' AND resource_id = $1
         UNION ALL SELECT actor_type, details FROM audit_logs WHERE action = 'schedule.update' AND resource_id = $1`,
        [schedule.id],
      );
      expect(entry).toMatchObject({ actor_type: 'system', details: { paused: true, reason: 'target.gone' } });
    }
  });

  it('starts workflow runs, one per fire', async () => {
    const wf = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: `wf-${Date.now()}`, steps: [{ id: 'a', agentId: calc, input: { expression: '{{ input.x }}' } }] })
      .expect(201);
    const schedule = (
      await create({
        name: 'runs',
        target: { workflowId: wf.body.data.id, input: { x: '2 + 3' } },
        everyMs: 1000,
        tags: ['nightly'],
      }).expect(201)
    ).body.data as ScheduleView;
    const runs = await waitFor(async () => {
      const rows = (await t.dataSource.query(
        `SELECT idempotency_key AS key, status, tags FROM workflow_runs WHERE idempotency_key LIKE $1 ORDER BY 1`,
        [`schedule:${schedule.id}:%`],
      )) as { key: string; status: string; tags: string[] }[];
      return rows.length >= 2 && rows;
    }, 15_000);
    expect(new Set(runs.map((r) => r.key)).size).toBe(runs.length);
    // The schedule's tags go to the runs it starts, as to the tasks it makes.
    for (const run of runs) expect(run.tags).toEqual(['nightly']);
    const [first] = (await t.dataSource.query(`SELECT id FROM workflow_runs WHERE idempotency_key = $1`, [
      runs[0].key,
    ])) as { id: string }[];
    expect(await madeBy('workflow.run', first.id)).toEqual({
      actor_type: 'system',
      actor_id: null,
      details: expect.objectContaining({
        workflowId: wf.body.data.id,
        createdBy: op.id,
        scheduleId: schedule.id,
        fireAt: expect.any(String),
      }),
    });
    await request(t.http)
      .delete(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .expect(204);
  });

  it('fires once per period with two processes, and catches up with each missed fire once after Redis is wiped', async () => {
    const second = await createTestApp({ shared: t.env });
    const redis = new Redis(t.env.config.redis.url);
    try {
      const schedule = (
        await create({
          name: 'two processes',
          target: { agentId: calc, input: { expression: '2' } },
          everyMs: 1000,
        }).expect(201)
      ).body.data as ScheduleView;
      await waitFor(async () => (await firesOf(t, schedule.id)).length >= 3, 15_000);

      // Redis restarted empty: every key of this environment goes, schedulers and queues with them.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.env.config.redis.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      const wipedAt = Date.now();

      const fires = await waitFor(async () => {
        const made = await firesOf(t, schedule.id);
        return made.some((f) => Date.parse(f.fireAt) > wipedAt + 4000) && made;
      }, 30_000);
      expectEachFireOnce(fires, 1000);
    } finally {
      redis.disconnect();
      await second.close();
    }
  });
});
