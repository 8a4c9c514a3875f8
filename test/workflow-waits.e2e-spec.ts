import { Queue } from 'bullmq';
import Redis from 'ioredis';
import request from 'supertest';
import { WORKFLOW_WAITS_QUEUE } from '../src/jobs/queues';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { buildApp, workerProcesses } from './utils/built-app';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface StepView {
  id: string;
  kind: string;
  status: string;
  taskId: string | null;
  output: unknown;
  error: { code: string; message: string } | null;
  waitUntil: string | null;
  approvalDeadline: string | null;
  decision: { outcome: string; by: string | null; at: string; comment: string | null } | null;
  permission: string | null;
}
interface RunView {
  id: string;
  status: string;
  steps: StepView[];
}

/** The HTTP steps of a test: define, start, read, decide, wait for a run's end. */
function client(t: TestApp) {
  const define = async (user: TestUser, steps: object[]) =>
    (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(user))
        .send({ name: 'waits', steps })
        .expect(201)
    ).body.data as { id: string };
  const start = async (user: TestUser, steps: object[], input: object = {}) => {
    const wf = await define(user, steps);
    return (
      await request(t.http)
        .post(`/api/v1/workflows/${wf.id}/runs`)
        .set(...bearer(user))
        .send({ input })
        .expect(202)
    ).body.data as RunView;
  };
  const get = async (user: TestUser, runId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${runId}`)
        .set(...bearer(user))
        .expect(200)
    ).body.data as RunView;
  const step = (run: RunView, id: string) => run.steps.find((s) => s.id === id)!;
  const stepIs = (user: TestUser, runId: string, id: string, status: string, timeoutMs = 20_000) =>
    waitFor(async () => {
      const run = await get(user, runId);
      return step(run, id).status === status && run;
    }, timeoutMs);
  const ended = (user: TestUser, runId: string, timeoutMs = 20_000) =>
    waitFor(async () => {
      const run = await get(user, runId);
      return run.status !== 'running' && run;
    }, timeoutMs);
  const decide = (user: TestUser, runId: string, stepId: string, verb: 'approve' | 'reject', body: object = {}) =>
    request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/steps/${stepId}/${verb}`)
      .set(...bearer(user))
      .send(body);
  const stored = async (runId: string) =>
    (
      (await t.dataSource.query(
        `SELECT status, wake_at AS "wakeAt", parked,
                (SELECT jsonb_object_agg(step_id, state) FROM workflow_run_steps WHERE run_id = r.id) AS steps
           FROM workflow_runs r WHERE id = $1`,
        [runId],
      )) as { status: string; steps: Record<string, Record<string, unknown>>; wakeAt: Date | null; parked: boolean }[]
    )[0];
  return { define, start, get, step, stepIs, ended, decide, stored };
}

describe('workflow steps that wait', () => {
  let t: TestApp;
  let op: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let calc: string;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await createTestApp({ env: { QUEUE_RECONCILE_INTERVAL_MS: '1000' } });
    op = await createUser(t, 'operator');
    other = await createUser(t, 'operator');
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    c = client(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const gated = (extra: object = {}) => [
    { id: 'ok', kind: 'approval', ...extra },
    {
      id: 'after',
      agentId: calc,
      dependsOn: ['ok'],
      input: { expression: '{{ steps.ok.output.approved ? "20+1" : "0" }}' },
    },
  ];

  it('waits for an approval, then runs on with the decision as the step’s output', async () => {
    const run = await c.start(op, gated());
    expect(c.step(run, 'ok')).toEqual({
      id: 'ok',
      kind: 'approval',
      status: 'waiting',
      taskId: null,
      output: null,
      error: null,
      waitUntil: null,
      approvalDeadline: null,
      decision: null,
      permission: null,
    });
    expect(c.step(run, 'after')).toMatchObject({ kind: 'task', status: 'pending', permission: null });
    expect(await c.stored(run.id)).toMatchObject({ status: 'running', wakeAt: null, parked: true });

    const res = await c.decide(op, run.id, 'ok', 'approve', { comment: 'looks right' }).expect(200);
    const decided = c.step(res.body.data as RunView, 'ok');
    expect(decided).toMatchObject({
      status: 'succeeded',
      output: { approved: true, by: op.id, comment: 'looks right' },
      decision: { outcome: 'approved', by: op.id, comment: 'looks right' },
    });
    const done = await c.ended(op, run.id);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'after').output).toEqual({ result: 21 });

    const row = await c.stored(run.id);
    expect(row.steps.ok).toMatchObject({ status: 'succeeded', kind: 'approval', decision: { by: op.id } });
    expect(row).toMatchObject({ status: 'succeeded', wakeAt: null, parked: false });
    await t.chainAudit();
    const entries = (await t.dataSource.query(
      `SELECT action, actor_id AS "actorId", details FROM audit_logs WHERE resource_id = $1 AND action LIKE 'workflow_run.step%'`,
      [run.id],
    )) as { action: string; actorId: string; details: unknown }[];
    expect(entries).toEqual([
      { action: 'workflow_run.step_approve', actorId: op.id, details: { stepId: 'ok', comment: 'looks right' } },
    ]);
  });

  it('fails a rejected step and the run, unless the step may fail', async () => {
    const strict = await c.start(op, gated());
    await c.decide(op, strict.id, 'ok', 'reject', { comment: 'not now' }).expect(200);
    const failed = await c.ended(op, strict.id);
    expect(failed.status).toBe('failed');
    expect(c.step(failed, 'ok')).toMatchObject({
      status: 'failed',
      error: { code: 'APPROVAL_REJECTED' },
      decision: { outcome: 'rejected', by: op.id, comment: 'not now' },
    });
    expect(c.step(failed, 'after').status).toBe('skipped');

    const lenient = await c.start(op, gated({ continueOnFailure: true }));
    await c.decide(op, lenient.id, 'ok', 'reject').expect(200);
    const done = await c.ended(op, lenient.id);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'after').output).toEqual({ result: 0 });
  });

  it('rejects an approval nobody decided by its deadline', async () => {
    const run = await c.start(op, gated({ timeoutMs: 300 }));
    expect(c.step(run, 'ok')).toMatchObject({ status: 'waiting', approvalDeadline: expect.any(String) });
    const failed = await c.ended(op, run.id);
    expect(c.step(failed, 'ok')).toMatchObject({
      status: 'failed',
      error: { code: 'APPROVAL_TIMED_OUT' },
      decision: { outcome: 'timed_out', by: null, comment: null },
    });
    expect(failed.status).toBe('failed');
    const late = await c.decide(op, run.id, 'ok', 'approve').expect(409);
    expect(late.body.error.code).toBe('INVALID_STATE');
  });

  it('ends a wait step through its delayed job', async () => {
    const run = await c.start(op, [
      { id: 'pause', kind: 'wait', durationMs: 300 },
      { id: 'after', agentId: calc, dependsOn: ['pause'], input: { expression: '1+1' } },
    ]);
    const waiting = c.step(run, 'pause');
    expect(waiting).toMatchObject({ kind: 'wait', status: 'waiting', approvalDeadline: null });
    const row = await c.stored(run.id);
    expect(row.wakeAt?.toISOString()).toBe(waiting.waitUntil);
    const done = await c.ended(op, run.id);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'pause').output).toEqual({ waitedUntil: waiting.waitUntil });
  });

  it('waits until a time its template renders', async () => {
    const at = new Date(Date.now() + 400).toISOString();
    const run = await c.start(op, [{ id: 'pause', kind: 'wait', until: '{{ input.at }}' }], { at });
    expect(c.step(run, 'pause').waitUntil).toBe(at);
    expect((await c.ended(op, run.id)).status).toBe('succeeded');
  });

  it('finishes a waiting run whose job Redis lost: the reconciler restores it', async () => {
    const run = await c.start(op, [{ id: 'pause', kind: 'wait', durationMs: 1500 }]);
    const redis = new Redis(t.env.config.redis.url);
    const queue = new Queue(WORKFLOW_WAITS_QUEUE, { connection: redis, prefix: `${t.env.config.redis.prefix}:bull` });
    try {
      expect(await queue.getJob(`${run.id}.pause`)).toBeDefined();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.env.config.redis.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
      expect(await queue.getJob(`${run.id}.pause`)).toBeUndefined();
      expect((await c.get(op, run.id)).status).toBe('running');
      const done = await c.ended(op, run.id, 30_000);
      expect(done.status).toBe('succeeded');
      expect(await c.stored(run.id)).toMatchObject({ status: 'succeeded', wakeAt: null });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }, 40_000);

  it('takes one of two approvals at once: the other gets 409', async () => {
    const run = await c.start(op, gated());
    const answers = await Promise.all([
      c.decide(op, run.id, 'ok', 'approve', { comment: 'first' }),
      c.decide(op, run.id, 'ok', 'approve', { comment: 'second' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    await c.ended(op, run.id);
    await t.chainAudit();
    const [{ count }] = (await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_logs WHERE resource_id = $1 AND action = 'workflow_run.step_approve'`,
      [run.id],
    )) as { count: number }[];
    expect(count).toBe(1);
  });

  it('lets only those who may decide: the run’s writers, or the holders of the step’s permission', async () => {
    const run = await c.start(op, gated());
    expect((await c.decide(other, run.id, 'ok', 'approve').expect(404)).body.error.code).toBe('NOT_FOUND');
    await c.decide(op, run.id, 'nope', 'approve').expect(404);
    await c.decide(op, run.id, 'after', 'approve').expect(409);
    await c.decide(op, run.id, 'ok', 'approve', { comment: 7 }).expect(400);
    expect(c.step(await c.get(op, run.id), 'ok').status).toBe('waiting');
    await c.decide(admin, run.id, 'ok', 'approve').expect(200);

    const guarded = await c.start(op, gated({ permission: 'users:manage' }));
    // The run says who decides the step, so a console need not learn it from a 403.
    expect(c.step(guarded, 'ok').permission).toBe('users:manage');
    expect((await c.decide(op, guarded.id, 'ok', 'approve').expect(403)).body.error.code).toBe('FORBIDDEN');
    await c.decide(other, guarded.id, 'ok', 'reject').expect(404);
    const decided = (await c.decide(admin, guarded.id, 'ok', 'reject').expect(200)).body.data as RunView;
    expect(c.step(decided, 'ok').decision).toMatchObject({ outcome: 'rejected', by: admin.id });
  });

  it('cancels the wait of a cancelled run; its steps can no longer be decided', async () => {
    const run = await c.start(op, [
      { id: 'ok', kind: 'approval' },
      { id: 'pause', kind: 'wait', durationMs: 60_000 },
    ]);
    const cancelled = (
      await request(t.http)
        .post(`/api/v1/workflow-runs/${run.id}/cancel`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;
    expect(cancelled.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    await c.decide(op, run.id, 'ok', 'approve').expect(409);
    expect(await c.stored(run.id)).toMatchObject({ status: 'cancelled', wakeAt: null, parked: false });
    const redis = new Redis(t.env.config.redis.url);
    const queue = new Queue(WORKFLOW_WAITS_QUEUE, { connection: redis, prefix: `${t.env.config.redis.prefix}:bull` });
    expect(await queue.getJob(`${run.id}.pause`)).toBeUndefined();
    await queue.close();
    redis.disconnect();
  });

  it('refuses malformed waiting steps with the field at fault', async () => {
    const bad = async (steps: object[]) =>
      (
        (
          await request(t.http)
            .post('/api/v1/workflows')
            .set(...bearer(op))
            .send({ name: 'bad', steps })
            .expect(400)
        ).body.error.details as { field: string }[]
      ).map((d) => d.field);
    expect(await bad([{ id: 'a', kind: 'approval', agentId: calc, input: {} }])).toEqual([
      '/steps/0/agentId',
      '/steps/0/input',
    ]);
    expect(await bad([{ id: 'a', kind: 'wait' }])).toEqual(['/steps/0/durationMs']);
    expect(await bad([{ id: 'a', kind: 'wait', durationMs: 5, until: '2030-01-01T00:00:00Z' }])).toEqual([
      '/steps/0/durationMs',
    ]);
    expect(await bad([{ id: 'a', kind: 'wait', until: 'tomorrow' }])).toEqual(['/steps/0/until']);
    expect(await bad([{ id: 'a', kind: 'wait', until: '{{ (' }])).toEqual(['/steps/0/until']);
    expect(await bad([{ id: 'a', kind: 'approval', permission: 'everything' }])).toEqual(['/steps/0/permission']);
    expect(await bad([{ id: 'a', kind: 'approval', timeoutMs: 0 }])).toEqual(['/steps/0/timeoutMs']);
    expect(await bad([{ id: 'a', kind: 'sleep' }])).toEqual(['/steps/0/kind']);
    expect(await bad([{ id: 'a', agentId: calc, input: {}, durationMs: 5 }])).toEqual(['/steps/0/durationMs']);
    expect(await bad([{ id: 'a', kind: 'task' }])).toEqual(expect.arrayContaining(['/steps/0/agentId']));
  });

  it('counts waiting steps and decisions in the metrics', async () => {
    await c.start(op, [{ id: 'ok', kind: 'approval' }]);
    const text = (await request(t.http).get('/metrics').expect(200)).text;
    expect(text).toMatch(/workflow_steps_waiting\{kind="approval"\} [1-9]/);
    expect(text).toMatch(/workflow_approvals_total\{outcome="approved"\} [1-9]/);
    expect(text).toMatch(/workflow_approvals_total\{outcome="timed_out"\} [1-9]/);
  });
});

describe('a waiting run across a killed worker', () => {
  const env = new TestEnv({ APP_ROLE: 'api', QUEUE_RECONCILE_INTERVAL_MS: '1000' });
  let api: TestApp;
  const workers = workerProcesses(env);

  beforeAll(async () => {
    buildApp();
    await env.prepare();
    api = await createTestApp({ shared: env });
    // Compiling the app is slow on a busy machine.
  }, 600_000);
  afterAll(async () => {
    await workers.killAll();
    await api?.close();
    await env.destroy();
  });

  it('holds no process: killed while it waits, it goes on once a worker is back', async () => {
    const c = client(api);
    const op = await createUser(api, 'operator');
    const calc = (await createAgent(api, op, { type: 'calculator' })).id;
    const first = await workers.start();
    const run = await c.start(op, [
      { id: 'pause', kind: 'wait', durationMs: 1500 },
      { id: 'ok', kind: 'approval', dependsOn: ['pause'] },
      { id: 'after', agentId: calc, dependsOn: ['ok'], input: { expression: '2*3' } },
    ]);
    expect(c.step(run, 'pause').status).toBe('waiting');
    // Killed by the signal, not gone before it (its last output says why, if it was).
    const code = await first.stop('SIGKILL');
    expect({ code, output: code === null ? '' : first.output().slice(-3000) }).toEqual({ code: null, output: '' });
    const due = Date.parse(c.step(run, 'pause').waitUntil!);
    await waitFor(async () => Date.now() > due + 500, 10_000);
    expect(c.step(await c.get(op, run.id), 'pause').status).toBe('waiting');

    await workers.start();
    await c.stepIs(op, run.id, 'ok', 'waiting', 30_000);
    expect(await c.stored(run.id)).toMatchObject({ parked: true, wakeAt: null });
    await c.decide(op, run.id, 'ok', 'approve').expect(200);
    const done = await c.ended(op, run.id, 30_000);
    expect(done.status).toBe('succeeded');
    expect(c.step(done, 'after').output).toEqual({ result: 6 });
  }, 120_000);
});
