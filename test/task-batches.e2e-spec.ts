import request from 'supertest';
import { TaskQueue } from '../src/tasks/task-queue';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

jest.setTimeout(60_000);

/**
 * Batches are checked, built, stored and queued a hundred tasks at a time: a batch of 1000 stays all or
 * nothing, in order, with every problem reported under its `/tasks/<index>` pointer. The task routes run with
 * the default body limits here.
 */
describe('task batches', () => {
  let t: TestApp;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { APP_ROLE: 'api' } });
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  const task = (i: number): Record<string, unknown> => ({ agentId, input: { expression: `${i} + 1` } });
  const stored = async (): Promise<number> =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM tasks WHERE created_by = $1', [op.id]))[0].n;
  const batchEntries = async (): Promise<number> => {
    await t.chainAudit();
    return (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'task.batch_create' AND outcome = 'success' AND actor_id = $1`,
        [op.id],
      )
    )[0].n;
  };
  const submit = (body: unknown) =>
    request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send(body as object);

  it('stores and queues a batch of 1000 in order, with one audit entry naming every task', async () => {
    const before = await stored();
    const res = await submit({ tasks: Array.from({ length: 1000 }, (_, i) => task(i)) }).expect(202);
    const tasks = res.body.data as { id: string; status: string; input: { expression: string } }[];
    expect(tasks).toHaveLength(1000);
    expect(tasks.map((x) => x.input.expression)).toEqual(Array.from({ length: 1000 }, (_, i) => `${i} + 1`));
    expect(new Set(tasks.map((x) => x.status))).toEqual(new Set(['queued']));
    expect(await stored()).toBe(before + 1000);
    const ids = tasks.map((x) => x.id);
    const rows = (await t.dataSource.query(`SELECT id, input FROM tasks WHERE id = ANY($1)`, [ids])) as {
      id: string;
      input: unknown;
    }[];
    const inputs = new Map(rows.map((r) => [r.id, r.input]));
    expect(ids.map((id) => inputs.get(id))).toEqual(tasks.map((x) => x.input));
    expect(await t.app.get(TaskQueue).missing(ids)).toEqual([]);
    await t.chainAudit();
    const [entry] = (await t.dataSource.query(
      `SELECT details FROM audit_logs WHERE action = 'task.batch_create' AND actor_id = $1 ORDER BY seq DESC LIMIT 1`,
      [op.id],
    )) as { details: { count: number; ids: string[] } }[];
    expect(entry.details).toEqual({ count: 1000, ids });
  });

  // The last element, made once the agent exists.
  const lastElements: [string, () => unknown, { field: string; message: string }[]][] = [
    ['a task that is not an object', () => null, [{ field: '/tasks/999', message: 'must be an object' }]],
    [
      'a task the body validation refuses',
      () => ({ ...task(999), priority: 11, extra: true }),
      [
        { field: '/tasks/999/extra', message: 'is not allowed' },
        { field: '/tasks/999/priority', message: 'must not be greater than 10' },
      ],
    ],
    [
      'an input the agent type refuses',
      () => ({ agentId, input: { expression: 999 } }),
      [{ field: '/tasks/999/input/expression', message: 'must be string' }],
    ],
  ];
  it.each(lastElements)(
    'refuses a batch of 1000 whose last element is %s, naming /tasks/999, and stores nothing',
    async (_, last, details) => {
      const before = await stored();
      const entries = await batchEntries();
      const res = await submit({ tasks: [...Array.from({ length: 999 }, (_, i) => task(i)), last()] }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details).toEqual(details);
      expect(await stored()).toBe(before);
      expect(await batchEntries()).toBe(entries);
    },
  );

  it('reports the problems of every chunk of a batch at once, in order', async () => {
    const tasks = Array.from({ length: 1000 }, (_, i) => task(i));
    tasks[0] = { ...task(0), agentId: 'not-a-uuid' };
    tasks[150] = { ...task(150), priority: 0 };
    tasks[999] = { agentId };
    const res = await submit({ tasks }).expect(400);
    expect(res.body.error.details).toEqual([
      { field: '/tasks/0/agentId', message: 'must be a UUID' },
      { field: '/tasks/150/priority', message: 'must not be less than 1' },
      { field: '/tasks/999/input', message: 'is required' },
    ]);
  });

  it('reports input problems past the first chunk under their own index', async () => {
    const tasks = Array.from({ length: 300 }, (_, i) => task(i));
    tasks[120] = { agentId, input: {} };
    tasks[299] = { agentId, input: { expression: '1', extra: 1 } };
    const before = await stored();
    const res = await submit({ tasks }).expect(400);
    expect(res.body.error).toEqual(
      expect.objectContaining({
        message: 'Some tasks are invalid; none were created',
        details: [
          { field: '/tasks/120/input/expression', message: 'is required' },
          { field: '/tasks/299/input/extra', message: 'is not allowed' },
        ],
      }),
    );
    expect(await stored()).toBe(before);
  });

  it('refuses the whole batch with 409 CONFLICT when a task names a deleted agent, with no field named', async () => {
    const gone = (await createAgent(t, op, { type: 'calculator' })).id;
    await request(t.http)
      .delete(`/api/v1/agents/${gone}`)
      .set(...bearer(op))
      .expect(204);
    const tasks = Array.from({ length: 150 }, (_, i) => task(i));
    tasks[20] = { agentId, input: {} };
    tasks[120] = { agentId: gone, input: { expression: '1' } };
    const before = await stored();
    const entries = await batchEntries();
    const res = await submit({ tasks }).expect(409);
    expect(res.body.error).toEqual({ code: 'CONFLICT', message: 'The agent has been deleted and takes no new tasks' });
    expect(await stored()).toBe(before);
    expect(await batchEntries()).toBe(entries);
    // A problem of a task's shape is reported first, as for a single submission.
    tasks[0] = { ...task(0), priority: 0 };
    const shape = await submit({ tasks }).expect(400);
    expect(shape.body.error.details).toEqual([{ field: '/tasks/0/priority', message: 'must not be less than 1' }]);
  });

  it.each([
    ['no tasks', () => [], 'must contain at least 1 elements'],
    ['1001 tasks', () => Array.from({ length: 1001 }, (_, i) => task(i)), 'must contain no more than 1000 elements'],
    ['tasks that are not an array', () => ({ 0: {} }), 'must be an array'],
    ['no tasks at all', () => undefined, 'is required'],
  ])('refuses %s', async (_, tasks, message) => {
    const res = await submit({ tasks: tasks() }).expect(400);
    expect(res.body.error.details).toEqual([{ field: '/tasks', message }]);
  });

  it('refuses a submission over the default TASK_BODY_LIMIT (512 KB) and a batch over TASK_BATCH_BODY_LIMIT (1 MB) with 413', async () => {
    const body = (bytes: number): string => {
      const head = `{"agentId":"${agentId}","input":{"expression":"1","variables":{},"pad":"`;
      return head + 'x'.repeat(bytes - head.length - 3) + '"}}';
    };
    const over = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .set('Content-Type', 'application/json')
      .send(body(512 * 1024 + 16));
    expect({ status: over.status, code: over.body.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    // Just under the limit the body is read and validated (the calculator refuses the extra property).
    const under = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .set('Content-Type', 'application/json')
      .send(body(512 * 1024 - 16));
    expect(under.status).toBe(400);
    const tasks = Array.from({ length: 1000 }, (_, i) => ({ agentId, input: { expression: `${i}`.padEnd(1000) } }));
    const batch = await submit({ tasks });
    expect({ status: batch.status, code: batch.body.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  describe('sent with an Idempotency-Key', () => {
    const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ agentId, input: { expression: `${i} * 2` } }));
    const send = (key: string, body: unknown) =>
      request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .set('Idempotency-Key', key)
        .send(body as object);
    const storedUnder = async (ids: string[]) =>
      (await t.dataSource.query('SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[])', [ids]))[0].n;

    it('creates the batch once: sent again, the same tasks in the same order (200), nothing more stored', async () => {
      const before = await stored();
      const first = await send('retry-after-a-timeout', { tasks: tasks(300) }).expect(202);
      const ids = (first.body.data as { id: string }[]).map((task) => task.id);
      const again = await send('retry-after-a-timeout', { tasks: tasks(300) }).expect(200);
      expect((again.body.data as { id: string }[]).map((task) => task.id)).toEqual(ids);
      expect(again.body.data[7]).toMatchObject({ input: { expression: '7 * 2' }, status: expect.any(String) });
      expect(await stored()).toBe(before + 300);
      expect(await storedUnder(ids)).toBe(300);
    });

    it('refuses the key with another body, another length or another request’s tasks (422), storing nothing', async () => {
      await send('k-422', { tasks: tasks(3) }).expect(202);
      const before = await stored();
      for (const body of [tasks(2), tasks(4), [...tasks(2), { agentId, input: { expression: '9' } }]]) {
        const res = await send('k-422', { tasks: body }).expect(422);
        expect(res.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
      }
      expect(await stored()).toBe(before);
    });

    it('stores one batch of those sent at once with one key', async () => {
      const before = await stored();
      const answers = await Promise.all(Array.from({ length: 5 }, () => send('at-once', { tasks: tasks(50) })));
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.every((s) => [200, 202, 409].includes(s))).toBe(true);
      expect(await stored()).toBe(before + 50);
    });

    it('answers a retry with the tasks it made, ids in any case, even once its agent is deleted', async () => {
      const gone = (await createAgent(t, op, { type: 'calculator' })).id;
      const of = (id: string) => Array.from({ length: 3 }, (_, i) => ({ agentId: id, input: { expression: `${i}` } }));
      const first = await send('k-gone', { tasks: of(gone) }).expect(202);
      const ids = (first.body.data as { id: string }[]).map((task) => task.id);
      const upper = await send('k-gone', { tasks: of(gone.toUpperCase()) }).expect(200);
      expect((upper.body.data as { id: string }[]).map((task) => task.id)).toEqual(ids);
      await request(t.http)
        .delete(`/api/v1/agents/${gone}`)
        .set(...bearer(op))
        .expect(204);
      const again = await send('k-gone', { tasks: of(gone) }).expect(200);
      expect((again.body.data as { id: string }[]).map((task) => task.id)).toEqual(ids);
      expect((await send('k-gone', { tasks: of(gone).slice(1) }).expect(422)).body.error.code).toBe(
        'IDEMPOTENCY_CONFLICT',
      );
      expect((await send('k-gone-new', { tasks: of(gone) }).expect(409)).body.error.code).toBe('CONFLICT');
    });

    it('refuses a key the platform keeps for batches', async () => {
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Idempotency-Key', 'batch:anything')
        .send({ agentId, input: { expression: '1' } })
        .expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    });
  });
});
