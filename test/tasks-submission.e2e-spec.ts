import request from 'supertest';
import { createAgent, holdStatements, settled, taskTestBed } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import type { TestApp } from './utils/test-app';

/** Submitting tasks: validation, Idempotency-Key, batches, submissions that share a statement, and their audit. */
describe('tasks on a live worker', () => {
  let t: TestApp;
  let op: TestUser;
  taskTestBed((bed) => ({ t, op } = bed));

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
        {
          field: 'Idempotency-Key',
          message: 'must not begin with schedule:, hook:, trigger:, batch: (kept for the platform)',
        },
      ]);
    }
  });

  it('answers a retry with the task it made even once a new one would be refused (agent deleted, input stale)', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const send = (key: string, body: object) =>
      request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Idempotency-Key', key)
        .send(body);
    const body = { agentId: agent.id, input: { expression: '2 + 2' } };
    const first = await send('made-before', body).expect(202);
    // The same id in capitals is the same request.
    const upper = await send('made-before', { ...body, agentId: agent.id.toUpperCase() }).expect(200);
    expect(upper.body.data.id).toBe(first.body.data.id);
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    const again = await send('made-before', body).expect(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    // Another body under the key is still a conflict; a key never used gets the refusal a new task gets.
    expect((await send('made-before', { ...body, input: { expression: '3' } }).expect(422)).body.error.code).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await send('never-used', body).expect(409)).body.error.code).toBe('CONFLICT');
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
});
