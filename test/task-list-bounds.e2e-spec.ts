import request from 'supertest';
import { createAgent, settled, submitTask, type TaskView } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

interface ListedView extends TaskView {
  input: unknown;
  inputOmitted: boolean;
  outputOmitted: boolean;
}

const BOUND = 64 * 1024;

describe('task lists bound the input and output they carry', () => {
  let t: TestApp;
  let op: TestUser;
  /** A data-processor task whose input and output are both over the bound, through the real path. */
  let big: string;
  /** A calculator task: input and output shown whole. */
  let small: string;
  /** An output stored in a few kB but a megabyte as JSON text: compression does not let it through. */
  let compressible: string;
  /** A megabyte output that stays large when stored. */
  let incompressible: string;
  const records = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `customer-${i}`, country: 'DE', n: i * 7 }));

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    const processor = (await createAgent(t, op, { type: 'data-processor' })).id;
    const calc = (await createAgent(t, op, { type: 'calculator' })).id;
    const tags = ['bounds'];
    big = (await submitTask(t, op, { agentId: processor, input: { records }, tags })).id;
    small = (await submitTask(t, op, { agentId: calc, input: { expression: '6*7' }, tags })).id;
    compressible = (await submitTask(t, op, { agentId: calc, input: { expression: '1+1' }, tags })).id;
    incompressible = (await submitTask(t, op, { agentId: calc, input: { expression: '2+2' }, tags })).id;
    for (const id of [big, small, compressible, incompressible])
      expect((await settled(t, op, id)).status).toBe('succeeded');
    await t.dataSource.query(
      `UPDATE tasks SET output = (SELECT jsonb_build_object('records', jsonb_agg(jsonb_build_object('id', 1, 'name', 'same')))
                                    FROM generate_series(1, 40000))
        WHERE id = $1`,
      [compressible],
    );
    await t.dataSource.query(
      `UPDATE tasks SET output = (SELECT jsonb_build_object('digests', jsonb_agg(md5(i::text))) FROM generate_series(1, 30000) i)
        WHERE id = $1`,
      [incompressible],
    );
    const [sizes] = (await t.dataSource.query(
      `SELECT (SELECT pg_column_size(output) FROM tasks WHERE id = $1) AS compressible,
              (SELECT pg_column_size(output) FROM tasks WHERE id = $2) AS incompressible`,
      [compressible, incompressible],
    )) as { compressible: number; incompressible: number }[];
    // Both ways of being over the bound: as stored, and only as JSON text.
    expect(sizes.compressible).toBeLessThan(BOUND);
    expect(sizes.incompressible).toBeGreaterThan(BOUND);
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: string): Promise<Map<string, ListedView>> => {
    const res = await request(t.http)
      .get(`/api/v1/tasks?${query}`)
      .set(...bearer(op))
      .expect(200);
    return new Map((res.body.data as ListedView[]).map((task) => [task.id, task]));
  };

  it.each([
    ['a page', 'limit=10'],
    ['a page of a tag (read by id)', 'tag=bounds&limit=10'],
  ])('leaves out of %s what is over 64 KiB as JSON, flagged', async (_label, query) => {
    const tasks = await list(query);
    expect(tasks.get(big)).toMatchObject({ input: null, inputOmitted: true, output: null, outputOmitted: true });
    for (const id of [compressible, incompressible])
      expect(tasks.get(id)).toMatchObject({
        input: expect.any(Object),
        inputOmitted: false,
        output: null,
        outputOmitted: true,
      });
    expect(tasks.get(small)).toMatchObject({
      input: { expression: '6*7' },
      inputOmitted: false,
      output: { result: 42 },
      outputOmitted: false,
    });
  });

  it('still gives one task whole', async () => {
    const res = await request(t.http)
      .get(`/api/v1/tasks/${big}`)
      .set(...bearer(op))
      .expect(200);
    expect(res.body.data.input).toEqual({ records });
    expect((res.body.data.output as { records: unknown[] }).records).toHaveLength(records.length);
    expect(res.body.data).not.toHaveProperty('outputOmitted');
    const one = await request(t.http)
      .get(`/api/v1/tasks/${compressible}`)
      .set(...bearer(op))
      .expect(200);
    expect((one.body.data.output as { records: unknown[] }).records).toHaveLength(40000);
  });
});
