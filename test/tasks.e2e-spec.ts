import request from 'supertest';
import { TASK_JOB, TaskQueue } from '../src/tasks/task-queue';
import { TaskRepository } from '../src/tasks/persistence/task.repository';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { json, LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';
import { readSse } from './utils/sse';
import { waitFor } from './utils/wait-for';

/**
 * A slow database for one of the tasks service's batched statements: the first calls wait a moment before
 * they run for real, so the requests arriving meanwhile queue up behind them. The spy counts the statements.
 */
function holdStatements(method: 'readMany' | 'insertMany', ms = 300): jest.SpyInstance {
  const service = TaskRepository.prototype as unknown as Record<typeof method, (batch: unknown[]) => Promise<unknown>>;
  const real = service[method];
  const held = new Promise((resolve) => setTimeout(resolve, ms));
  return jest.spyOn(service, method).mockImplementation(async function (this: unknown, batch: unknown[]) {
    await held;
    return real.call(this, batch);
  });
}

describe('tasks on a live worker', () => {
  let t: TestApp;
  let op: TestUser;
  const remote = new LoopbackServer();
  let remoteUrl: string;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '4' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });

  it('runs a calculator task to success and records the attempt and its worker', async () => {
    const agent = await createAgent(t, op, { type: 'calculator', config: { precision: 3 } });
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { expression: '(1 + 2) * x / 7', variables: { x: 2 } },
    });
    expect(task.status).toBe('queued');
    const done = await settled(t, op, task.id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'succeeded',
        output: { result: 0.857 },
        attempts: 1,
        progress: 100,
        error: null,
      }),
    );
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    const attempts = await request(t.http)
      .get(`/api/v1/tasks/${task.id}/attempts`)
      .set(...bearer(op))
      .expect(200);
    expect(attempts.body.data).toEqual([
      expect.objectContaining({ attempt: 1, status: 'succeeded', workerId: expect.stringContaining(':') }),
    ]);
  });

  it('validates the input against the agent type before anything is stored or queued', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM tasks');
    const res = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: 42, extra: 1 }, priority: 11 })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/priority']);
    const bad = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: 42, extra: 1 } })
      .expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      '/input/expression',
      '/input/extra',
    ]);
    const after = await t.dataSource.query('SELECT count(*)::int AS n FROM tasks');
    expect(after[0].n).toBe(before[0].n);
  });

  it('fails at once, without retries, on a non-retryable error', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { expression: '1 / 0' },
      maxAttempts: 5,
      backoffMs: 10,
    });
    const done = await settled(t, op, task.id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        error: { code: 'DIVISION_BY_ZERO', message: 'Division by zero' },
      }),
    );
  });

  it('retries with growing delays, stops at maxAttempts and keeps the last error', async () => {
    remote.handler = (req, res) => (req.url === '/always-500' ? json(res, 500, { oops: true }) : json(res, 404, {}));
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/always-500` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {}, maxAttempts: 3, backoffMs: 200 });
    const done = await settled(t, op, task.id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'failed',
        attempts: 3,
        error: { code: 'REMOTE_500', message: 'The remote agent answered 500' },
      }),
    );
    const attempts = (
      await request(t.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
    ).body.data;
    expect(attempts.map((a: { status: string }) => a.status)).toEqual(['failed', 'failed', 'failed']);
    const gaps = [1, 2].map((i) => Date.parse(attempts[i].startedAt) - Date.parse(attempts[i - 1].finishedAt));
    // Jittered exponential backoff: at least half of 200 ms, then half of 400 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
  });

  it('uses a new agent config for the next task without any restart', async () => {
    const agent = await createAgent(t, op, { type: 'calculator', config: { precision: 2 } });
    const first = await settled(
      t,
      op,
      (await submitTask(t, op, { agentId: agent.id, input: { expression: '1 / 3' } })).id,
    );
    expect(first.output).toEqual({ result: 0.33 });
    await request(t.http)
      .post(`/api/v1/agents/${agent.id}/config`)
      .set(...bearer(op))
      .send({ config: { precision: 5 } })
      .expect(200);
    const second = await settled(
      t,
      op,
      (await submitTask(t, op, { agentId: agent.id, input: { expression: '1 / 3' } })).id,
    );
    expect(second.output).toEqual({ result: 0.33333 });
  });

  it('cancels a running task within a second, aborting its executor', async () => {
    let aborted = false;
    remote.handler = (_req, res) => {
      res.on('close', () => (aborted = !res.writableEnded));
      setTimeout(() => json(res, 200, { late: true }), 10_000);
    };
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/slow` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get(`/api/v1/tasks/${task.id}`)
            .set(...bearer(op))
        ).body.data.status === 'running',
    );
    const started = Date.now();
    const res = await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(op))
      .expect(200);
    expect(res.body.data.status).toBe('cancelled');
    await waitFor(async () => {
      const attempts = (
        await request(t.http)
          .get(`/api/v1/tasks/${task.id}/attempts`)
          .set(...bearer(op))
      ).body.data;
      return attempts[0]?.status === 'cancelled';
    }, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(async () => aborted, 1000);
    const after = await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(after.body.data.status).toBe('cancelled');
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(op))
      .expect(409);
  });

  it('retries a failed task on request', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: 'x + 1' }, maxAttempts: 1 });
    expect((await settled(t, op, task.id)).status).toBe('failed');
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/retry`)
      .set(...bearer(op))
      .expect(202);
    const again = await settled(t, op, task.id);
    expect(again).toEqual(expect.objectContaining({ status: 'failed', attempts: 2 }));
    const attempts = (
      await request(t.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
    ).body.data;
    expect(attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2]);
    const succeeded = await submitTask(t, op, { agentId: agent.id, input: { expression: '1' } });
    await settled(t, op, succeeded.id);
    await request(t.http)
      .post(`/api/v1/tasks/${succeeded.id}/retry`)
      .set(...bearer(op))
      .expect(409);
  });

  it('returns the same task for the same Idempotency-Key and body, 422 for another body', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const body = { agentId: agent.id, input: { expression: '2 + 2' } };
    const first = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .set('Idempotency-Key', 'key-1')
      .send(body)
      .expect(202);
    const again = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .set('Idempotency-Key', 'key-1')
      .send(body)
      .expect(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    const other = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .set('Idempotency-Key', 'key-1')
      .send({ ...body, input: { expression: '3 + 3' } })
      .expect(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    // Keys belong to their user.
    const someoneElse = await createUser(t, 'operator');
    const theirs = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(someoneElse))
      .set('Idempotency-Key', 'key-1')
      .send(body)
      .expect(202);
    expect(theirs.body.data.id).not.toBe(first.body.data.id);
    // The keys of the platform's own submissions (a schedule's fire, a hook's delivery) are not a client's to take.
    for (const key of ['schedule:00000000-0000-4000-8000-000000000000:2030-01-01T00:00:00.000Z', 'hook:x:1']) {
      const taken = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Idempotency-Key', key)
        .send(body)
        .expect(400);
      expect(taken.body.error.details).toEqual([
        { field: 'Idempotency-Key', message: 'must not begin with schedule:, hook:, trigger: (kept for the platform)' },
      ]);
    }
  });

  it('creates one task from 20 concurrent identical requests', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const body = { agentId: agent.id, input: { expression: '6 * 7' } };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(t.http)
          .post('/api/v1/tasks')
          .set(...bearer(op))
          .set('Idempotency-Key', 'concurrent-1')
          .send(body),
      ),
    );
    const ids = new Set(responses.map((r) => r.body.data?.id));
    expect(responses.every((r) => r.status === 202 || r.status === 200 || r.status === 409)).toBe(true);
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    ids.delete(undefined);
    expect(ids.size).toBe(1);
    const rows = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM tasks WHERE idempotency_key = 'concurrent-1'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('submits a batch all or nothing', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const ok = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send({ tasks: [1, 2, 3].map((n) => ({ agentId: agent.id, input: { expression: `${n} * 2` } })) })
      .expect(202);
    expect(ok.body.data).toHaveLength(3);
    for (const task of ok.body.data) expect((await settled(t, op, task.id)).status).toBe('succeeded');
    const before = await t.dataSource.query('SELECT count(*)::int AS n FROM tasks');
    const bad = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send({
        tasks: [
          { agentId: agent.id, input: { expression: '1' } },
          { agentId: agent.id, input: {} },
        ],
      })
      .expect(400);
    expect(bad.body.error.details).toEqual([{ field: '/tasks/1/input/expression', message: 'is required' }]);
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM tasks'))[0].n).toBe(before[0].n);
  });

  it('keeps a paused agent’s tasks waiting and runs them on resume; refuses tasks for a deleted agent', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '5' } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      (
        await request(t.http)
          .get(`/api/v1/tasks/${task.id}`)
          .set(...bearer(op))
      ).body.data.status,
    ).toBe('queued');
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    expect((await settled(t, op, task.id)).status).toBe('succeeded');
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    const res = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1' } })
      .expect(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  /** The remote agent answers after 300 ms; the most calls it held at once so far. */
  const countPeakCalls = (): (() => number) => {
    let inFlight = 0;
    let peak = 0;
    remote.handler = (_req, res) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        json(res, 200, { ok: true });
      }, 300);
    };
    return () => peak;
  };

  it('never runs more of one agent’s tasks at once than its concurrency allows', async () => {
    const peak = countPeakCalls();
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/limited` }, concurrency: 1 });
    const tasks = await Promise.all([1, 2, 3].map(() => submitTask(t, op, { agentId: agent.id, input: {} })));
    for (const task of tasks) expect((await settled(t, op, task.id)).status).toBe('succeeded');
    expect(peak()).toBe(1);
  });

  it('grants an agent’s slots to tasks the worker takes together, up to its concurrency', async () => {
    const peak = countPeakCalls();
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/pair` }, concurrency: 2 });
    const res = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send({ tasks: Array.from({ length: 6 }, () => ({ agentId: agent.id, input: {} })) })
      .expect(202);
    for (const task of res.body.data as { id: string }[])
      expect((await settled(t, op, task.id)).status).toBe('succeeded');
    expect(peak()).toBe(2);
  });

  it('finds tasks by tag and by metadata values, and refuses malformed tags and filters', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const submit = (tags: string[], metadata: Record<string, unknown>) =>
      submitTask(t, op, { agentId: agent.id, input: { expression: '1' }, tags, metadata });
    const a = await submit(['nightly', 'acme'], { customer: 'acme', region: 'eu' });
    const b = await submit(['nightly'], { customer: 'globex', region: 'eu' });
    await submit([], { customer: 'acme', region: 'us' });
    const ids = async (query: string) =>
      (
        await request(t.http)
          .get(`/api/v1/tasks?agentId=${agent.id}&${query}`)
          .set(...bearer(op))
          .expect(200)
      ).body.data.map((task: { id: string }) => task.id);
    expect((await ids('tag=nightly')).sort()).toEqual([a.id, b.id].sort());
    expect(await ids('tag=acme')).toEqual([a.id]);
    expect(await ids('metadata.customer=acme&metadata.region=eu')).toEqual([a.id]);
    expect(await ids('tag=nightly&metadata.customer=globex')).toEqual([b.id]);
    expect(await ids('metadata.customer=initech')).toEqual([]);
    const got = await request(t.http)
      .get(`/api/v1/tasks/${a.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(got.body.data.tags).toEqual(['nightly', 'acme']);

    const badTags = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1' }, tags: ['ok', 'not ok!', ''] })
      .expect(400);
    expect(badTags.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/tags']);
    const twice = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1' }, tags: ['nightly', 'acme', 'nightly'] })
      .expect(400);
    expect(twice.body.error.details).toEqual([{ field: '/tags', message: 'each tag may be given once' }]);
    for (const query of ['metadata.bad%20key=x', 'metadata.k=a&metadata.k=b', 'unknown.k=x']) {
      const res = await request(t.http)
        .get(`/api/v1/tasks?${query}`)
        .set(...bearer(op))
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it("hides one user's tasks from another: 404 on read, cancel and retry, and absent from lists", async () => {
    const a = await createUser(t, 'operator');
    const b = await createUser(t, 'operator');
    const agent = await createAgent(t, a, { type: 'calculator' });
    const task = await submitTask(t, a, { agentId: agent.id, input: { expression: '1 +' } });
    await settled(t, a, task.id);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(b))
      .expect(404);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}/attempts`)
      .set(...bearer(b))
      .expect(404);
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(b))
      .expect(404);
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/retry`)
      .set(...bearer(b))
      .expect(404);
    const list = await request(t.http)
      .get('/api/v1/tasks?limit=1000')
      .set(...bearer(b))
      .expect(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(task.id);
    const mine = await request(t.http)
      .get(`/api/v1/tasks?agentId=${agent.id}`)
      .set(...bearer(a))
      .expect(200);
    expect(mine.body.data.map((x: { id: string }) => x.id)).toEqual([task.id]);
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(admin))
      .expect(200);
  });

  it('answers concurrent reads, which share statements, each with its own caller’s view', async () => {
    const a = await createUser(t, 'operator');
    const b = await createUser(t, 'operator');
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const mine = await submitTask(t, a, {
      agentId: (await createAgent(t, a, { type: 'calculator' })).id,
      input: { expression: '1 + 1' },
    });
    const theirs = await submitTask(t, b, {
      agentId: (await createAgent(t, b, { type: 'calculator' })).id,
      input: { expression: '2 + 2' },
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    const cases: [TestUser, string, number][] = [
      [a, mine.id, 200],
      [b, mine.id, 404],
      [b, theirs.id, 200],
      [a, theirs.id.toUpperCase(), 404],
      [admin, theirs.id.toUpperCase(), 200],
      [a, missing, 404],
    ];
    const readMany = holdStatements('readMany');
    try {
      const requests = Array.from({ length: 48 }, (_, i) => cases[i % cases.length]);
      const responses = await Promise.all(
        requests.map(([user, id]) =>
          request(t.http)
            .get(`/api/v1/tasks/${id}`)
            .set(...bearer(user)),
        ),
      );
      responses.forEach((res, i) => {
        const [, id, status] = requests[i];
        expect(res.status).toBe(status);
        if (status === 200) expect(res.body.data.id).toBe(id.toLowerCase());
        else expect(res.body.error.code).toBe('NOT_FOUND');
      });
      expect(readMany.mock.calls.length).toBeLessThan(requests.length);
    } finally {
      readMany.mockRestore();
    }
  });

  it('stores concurrent submissions, which share statements, each with its own audit entry, and runs them all', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const insertMany = holdStatements('insertMany');
    let responses: request.Response[];
    try {
      responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          request(t.http)
            .post('/api/v1/tasks')
            .set(...bearer(op))
            .set('X-Request-Id', `req-together-${i}`)
            .send({ agentId: agent.id, input: { expression: `${i} * 2` } }),
        ),
      );
      expect(insertMany.mock.calls.length).toBeLessThan(responses.length);
    } finally {
      insertMany.mockRestore();
    }
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 202));
    const ids = responses.map((r) => r.body.data.id as string);
    const stored = await t.dataSource.query(`SELECT id, input FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
    expect(new Map(stored.map((r: { id: string; input: unknown }) => [r.id, r.input]))).toEqual(
      new Map(ids.map((id, i) => [id, { expression: `${i} * 2` }])),
    );
    await t.chainAudit();
    const entries = await t.dataSource.query(
      `SELECT request_id, resource_id, actor_id FROM audit_logs WHERE action = 'task.create' AND resource_id = ANY($1)`,
      [ids],
    );
    expect(
      new Map(entries.map((e: { request_id: string; resource_id: string }) => [e.resource_id, e.request_id])),
    ).toEqual(new Map(ids.map((id, i) => [id, `req-together-${i}`])));
    expect(entries.every((e: { actor_id: string }) => e.actor_id === op.id)).toBe(true);
    const done = await Promise.all(ids.map((id) => settled(t, op, id)));
    expect(done.map((task) => task.output)).toEqual(ids.map((_, i) => ({ result: i * 2 })));
  }, 30_000);

  it('audits every kind of submission with its caller and request', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const submit = (requestId: string, body: object, key?: string) => {
      const req = request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('X-Request-Id', requestId)
        .set('User-Agent', `agent-of-${requestId}`);
      return (key ? req.set('Idempotency-Key', key) : req).send(body);
    };
    const plain = await submit('req-sub-plain', { agentId: agent.id, input: { expression: '1' } }).expect(202);
    const keyed = await submit('req-sub-keyed', { agentId: agent.id, input: { expression: '2' } }, 'audit-key').expect(
      202,
    );
    const invalid = await submit('req-sub-invalid', { agentId: agent.id, input: { expression: 42 } }).expect(400);
    await submit('req-sub-bad-body', { agentId: 'not-a-uuid', input: {} }).expect(400);
    const batch = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .set('X-Request-Id', 'req-sub-batch')
      .send({ tasks: [{ agentId: agent.id, input: { expression: '3' } }] })
      .expect(202);
    await t.chainAudit();
    const entries = (await t.dataSource.query(
      `SELECT request_id, action, outcome, resource_id, actor_type, actor_id, user_agent, ip, details
         FROM audit_logs WHERE request_id LIKE 'req-sub-%' ORDER BY seq`,
    )) as Record<string, unknown>[];
    const caller = { actor_type: 'user', actor_id: op.id, ip: expect.stringMatching(/127\.0\.0\.1/) };
    expect(entries).toEqual([
      expect.objectContaining({
        ...caller,
        request_id: 'req-sub-plain',
        action: 'task.create',
        outcome: 'success',
        resource_id: plain.body.data.id,
        user_agent: 'agent-of-req-sub-plain',
      }),
      expect.objectContaining({
        ...caller,
        request_id: 'req-sub-keyed',
        action: 'task.create',
        outcome: 'success',
        resource_id: keyed.body.data.id,
      }),
      expect.objectContaining({
        ...caller,
        request_id: 'req-sub-invalid',
        action: 'task.create',
        outcome: 'failure',
        details: { error: invalid.body.error.code },
      }),
      expect.objectContaining({
        ...caller,
        request_id: 'req-sub-bad-body',
        action: 'task.create',
        outcome: 'failure',
        details: { error: 'VALIDATION_FAILED' },
      }),
      expect.objectContaining({
        ...caller,
        request_id: 'req-sub-batch',
        action: 'task.batch_create',
        outcome: 'success',
        details: { count: 1, ids: [batch.body.data[0].id] },
      }),
    ]);
  });

  it('runs a job that carries only its task id (as jobs queued by an earlier version do)', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { expression: '6 * 7' },
      runAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const queue = t.app.get(TaskQueue).queue;
    await (await queue.getJob(task.id))!.remove();
    await queue.add(TASK_JOB, { taskId: task.id }, { jobId: task.id });
    const done = await settled(t, op, task.id);
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ result: 42 });
  });

  it('streams a task’s changes as Server-Sent Events until it finishes', async () => {
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { streamed: true }), 300);
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/sse` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });
    const { status, contentType, events } = await readSse(t.http, `/api/v1/tasks/${task.id}/events`, bearer(op));
    expect(status).toBe(200);
    expect(contentType).toContain('text/event-stream');
    expect(events.every((e) => e.type === 'task' && e.data.taskId === task.id)).toBe(true);
    expect(events[events.length - 1].data.status).toBe('succeeded');
    expect(events.map((e) => e.data.status)).toContain('running');
  });
});

describe('priorities on a single-concurrency worker', () => {
  let t: TestApp;
  let op: TestUser;
  const remote = new LoopbackServer();
  let remoteUrl: string;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    t = await createTestApp({ env: { WORKER_CONCURRENCY: '1', AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });

  it('runs higher priorities (1 first) before lower ones', async () => {
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { done: true }), 800);
    const slow = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/busy` } });
    const calc = await createAgent(t, op, { type: 'calculator', concurrency: 10 });
    // The one worker slot is busy while the others queue up, so they all wait together.
    const blocker = await submitTask(t, op, { agentId: slow.id, input: {} });
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get(`/api/v1/tasks/${blocker.id}`)
            .set(...bearer(op))
        ).body.data.status === 'running',
    );
    const ids = new Map<string, number>();
    for (const priority of [5, 1, 9, 3, 7]) {
      const task = await submitTask(t, op, { agentId: calc.id, input: { expression: String(priority) }, priority });
      ids.set(task.id, priority);
    }
    const done = await Promise.all([...ids.keys()].map((id) => settled(t, op, id)));
    const order = done
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
      .map((task) => ids.get(task.id));
    const blocked = await settled(t, op, blocker.id);
    expect(blocked.status).toBe('succeeded');
    const firstStart = Math.min(...done.map((task) => Date.parse(task.startedAt)));
    expect(firstStart).toBeGreaterThanOrEqual(Date.parse(blocked.finishedAt) - 50);
    expect(order).toEqual([1, 3, 5, 7, 9]);
  });
});
