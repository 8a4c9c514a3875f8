import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { storeRecords } from './factories/files';

/** `n` objects `{a: 0}`, `{a: 1}`, …: the values of an `in` list. */
const objects = (n: number) => Array.from({ length: n }, (_, a) => ({ a }));
const TOO_MANY = { message: 'must NOT have more than 1000 items' };

/** What a data-processor's conditions and sorts may cost, through the API. */
describe('data-processor: bounded conditions and sorts', () => {
  let t: TestApp;
  let op: TestUser;
  let agent: string;

  beforeAll(async () => {
    // Sorts hold at most 1,000 records here: a sort that must hold more fails, one followed by a limit does not.
    t = await createTestApp({ env: { DATA_PROCESSOR_SORT_MAX_RECORDS: '1000' } });
    op = await createUser(t, 'operator');
    agent = (await createAgent(t, op, { type: 'data-processor', config: { chunkSize: 500 } })).id;
  });
  afterAll(() => t?.close());

  const count = async (table: string) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const post = (path: string, body: object) =>
    request(t.http)
      .post(path)
      .set(...bearer(op))
      .send(body);

  it('refuses a task whose `in` list has 40,000 values: 400 on the list, nothing stored', async () => {
    const tasks = await count('tasks');
    const input = {
      records: Array.from({ length: 100 }, () => ({ k: { a: -1 } })),
      pipeline: [{ filter: { where: { field: 'k', op: 'in', value: objects(40_000) } } }],
    };
    const res = await post('/api/v1/tasks', { agentId: agent, input });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toContainEqual({ field: '/input/pipeline/0/filter/where/value', ...TOO_MANY });
    expect(await count('tasks')).toBe(tasks);
  });

  it('refuses 1,001 values wherever the condition nests them, in a task, a config and a workflow', async () => {
    const nested = {
      and: [{ field: 'n', op: 'exists' }, { or: [{ not: { field: 'k', op: 'in', value: objects(1001) } }] }],
    };
    const task = await post('/api/v1/tasks', {
      agentId: agent,
      input: { records: [], pipeline: [{ select: { fields: ['k'] } }, { filter: { where: nested } }] },
    });
    expect(task.status).toBe(400);
    expect(task.body.error.details).toContainEqual({
      field: '/input/pipeline/1/filter/where/and/1/or/0/not/value',
      ...TOO_MANY,
    });

    const agents = await count('agents');
    const config = await post('/api/v1/agents', {
      name: `dp-${Math.random().toString(36).slice(2)}`,
      type: 'data-processor',
      config: { pipeline: [{ filter: { where: { field: 'k', op: 'in', value: objects(1001) } } }] },
    });
    expect(config.status).toBe(400);
    expect(config.body.error.details).toContainEqual({ field: '/config/pipeline/0/filter/where/value', ...TOO_MANY });
    expect(await count('agents')).toBe(agents);

    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const workflow = await post('/api/v1/workflows', {
      name: `wf-${Math.random().toString(36).slice(2)}`,
      steps: [
        { id: 'a', agentId: calc, input: { expression: '1' } },
        {
          id: 'b',
          agentId: calc,
          input: { expression: '2' },
          dependsOn: ['a'],
          when: { field: 'steps.a.status', op: 'in', value: Array.from({ length: 1001 }, (_, i) => `s${i}`) },
        },
      ],
    });
    expect(workflow.status).toBe(400);
    expect(workflow.body.error.details).toContainEqual({ field: '/steps/1/when/value', ...TOO_MANY });
  });

  it('runs a filter on a list of 1,000 objects over many records, keeping exactly the records in it', async () => {
    // Half the records are in the list (keys in another order), half are not.
    const records = Array.from({ length: 4000 }, (_, i) => ({ i, k: i % 2 === 0 ? { b: 0, a: i % 1000 } : { a: -i } }));
    const list = objects(1000).map((o) => ({ ...o, b: 0 }));
    const task = await submitTask(t, op, {
      agentId: agent,
      input: {
        records,
        pipeline: [{ filter: { where: { field: 'k', op: 'in', value: list } } }, { select: { fields: ['i'] } }],
      },
    });
    const done = await settled(t, op, task.id, 30_000);
    expect(done.status).toBe('succeeded');
    const out = done.output as { records: { i: number }[] };
    expect(out.records).toEqual(records.filter((r) => r.i % 2 === 0).map((r) => ({ i: r.i })));
  }, 60_000);

  it('over a file, sorts with selects before the limit holding only the limit; a full sort past the bound fails', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ k: `k${(i * 7919) % 3001}`, x: i, pad: 'p'.repeat(20) }));
    const file = await storeRecords(t, op, records);
    const run = async (pipeline: object[]) =>
      settled(t, op, (await submitTask(t, op, { agentId: agent, input: { file, pipeline } })).id, 30_000);

    const top = await run([{ sort: { by: 'k' } }, { select: { fields: ['x'] } }, { limit: { count: 1 } }]);
    expect(top.status).toBe('succeeded');
    const first = [...records].sort((a, b) => a.k.localeCompare(b.k))[0];
    expect(top.output).toMatchObject({ records: [{ x: first.x }], stats: { inputCount: 3000, outputCount: 1 } });

    const whole = await run([{ sort: { by: 'k' } }, { select: { fields: ['x'] } }]);
    expect(whole).toMatchObject({ status: 'failed', error: { code: 'SORT_TOO_LARGE' } });
  }, 60_000);
});
