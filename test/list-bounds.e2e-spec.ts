import request from 'supertest';
import { createAgent, settled, submitTask, type TaskView } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, startRun } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface ListedTask extends TaskView {
  input: unknown;
  inputOmitted: boolean;
  outputOmitted: boolean;
}
interface ListedRun {
  id: string;
  status: string;
  input: unknown;
  output: unknown;
  inputOmitted: boolean;
  outputOmitted: boolean;
  steps: { id: string; output: unknown; outputOmitted: boolean }[];
}

const BOUND = 64 * 1024;
/** An output stored in a few kB but a megabyte as JSON text: compression does not let it through. */
const COMPRESSIBLE = `SELECT jsonb_build_object('records', jsonb_agg(jsonb_build_object('id', 1, 'name', 'same')))
                        FROM generate_series(1, 40000)`;
/** A megabyte output that stays large when stored. */
const INCOMPRESSIBLE = `SELECT jsonb_build_object('digests', jsonb_agg(md5(i::text))) FROM generate_series(1, 30000) i`;

describe('lists bound the input and output they carry', () => {
  let t: TestApp;
  let op: TestUser;
  let processor: string;
  let calc: string;
  const records = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `customer-${i}`, country: 'DE', n: i * 7 }));

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    processor = (await createAgent(t, op, { type: 'data-processor' })).id;
    calc = (await createAgent(t, op, { type: 'calculator' })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = async (url: string) =>
    (
      await request(t.http)
        .get(url)
        .set(...bearer(op))
        .expect(200)
    ).body.data as unknown;

  describe('of tasks', () => {
    /** A data-processor task whose input and output are both over the bound, through the real path. */
    let big: string;
    /** A calculator task: input and output shown whole. */
    let small: string;
    let compressible: string;
    let incompressible: string;

    beforeAll(async () => {
      const tags = ['bounds'];
      big = (await submitTask(t, op, { agentId: processor, input: { records }, tags })).id;
      small = (await submitTask(t, op, { agentId: calc, input: { expression: '6*7' }, tags })).id;
      compressible = (await submitTask(t, op, { agentId: calc, input: { expression: '1+1' }, tags })).id;
      incompressible = (await submitTask(t, op, { agentId: calc, input: { expression: '2+2' }, tags })).id;
      for (const id of [big, small, compressible, incompressible])
        expect((await settled(t, op, id)).status).toBe('succeeded');
      await t.dataSource.query(`UPDATE tasks SET output = (${COMPRESSIBLE}) WHERE id = $1`, [compressible]);
      await t.dataSource.query(`UPDATE tasks SET output = (${INCOMPRESSIBLE}) WHERE id = $1`, [incompressible]);
      const [sizes] = (await t.dataSource.query(
        `SELECT (SELECT pg_column_size(output) FROM tasks WHERE id = $1) AS compressible,
                (SELECT pg_column_size(output) FROM tasks WHERE id = $2) AS incompressible`,
        [compressible, incompressible],
      )) as { compressible: number; incompressible: number }[];
      // Both ways of being over the bound: as stored, and only as JSON text.
      expect(sizes.compressible).toBeLessThan(BOUND);
      expect(sizes.incompressible).toBeGreaterThan(BOUND);
    });

    it.each([
      ['a page', 'limit=10'],
      ['a page of a tag (read by id)', 'tag=bounds&limit=10'],
    ])('leaves out of %s what is over 64 KiB as JSON, flagged', async (_label, query) => {
      const tasks = new Map(((await get(`/api/v1/tasks?${query}`)) as ListedTask[]).map((task) => [task.id, task]));
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

    it('bounds each input and output by less on a long page: 8 MiB ÷ (2 × limit), 4 KiB at 1,000', async () => {
      // About 10 KiB as JSON: within 64 KiB (a page of up to 128) but over 4 KiB.
      const input = { records: records.slice(0, 150) };
      const medium = (await submitTask(t, op, { agentId: processor, input, tags: ['paged'] })).id;
      expect((await settled(t, op, medium)).status).toBe('succeeded');
      for (const [query, omitted] of [
        ['limit=128', false],
        ['limit=1000', true],
        ['tag=paged&limit=128', false],
        ['tag=paged&limit=1000', true],
      ] as const) {
        const listed = ((await get(`/api/v1/tasks?${query}`)) as ListedTask[]).find((task) => task.id === medium);
        expect([query, listed?.inputOmitted, listed?.input === null]).toEqual([query, omitted, omitted]);
      }
    });

    it('still gives one task whole', async () => {
      const whole = (await get(`/api/v1/tasks/${big}`)) as ListedTask;
      expect(whole.input).toEqual({ records });
      expect((whole.output as { records: unknown[] }).records).toHaveLength(records.length);
      expect(whole).not.toHaveProperty('outputOmitted');
      const one = (await get(`/api/v1/tasks/${compressible}`)) as ListedTask;
      expect((one.output as { records: unknown[] }).records).toHaveLength(40000);
    });
  });

  describe('of workflow runs', () => {
    let workflowId: string;
    let runId: string;

    beforeAll(async () => {
      const steps = [
        { id: 'big', agentId: processor, input: { records: '{{ input.records }}' } },
        { id: 'small', agentId: calc, input: { expression: '6*7' } },
        { id: 'noisy', agentId: calc, input: { expression: '1+1' } },
        { id: 'packed', agentId: calc, input: { expression: '2+2' } },
      ];
      workflowId = await createWorkflow(t, op, { name: 'big', steps });
      runId = (await startRun(t, op, workflowId, { records })).id;
      await waitFor(
        async () => ((await get(`/api/v1/workflow-runs/${runId}`)) as ListedRun).status !== 'running',
        20_000,
      );
      // Step outputs over the bound as stored, and only as JSON text.
      for (const [stepId, output] of [
        ['noisy', INCOMPRESSIBLE],
        ['packed', COMPRESSIBLE],
      ])
        await t.dataSource.query(
          `UPDATE workflow_run_steps SET state = jsonb_set(state, '{output}', (${output}))
            WHERE run_id = $1 AND step_id = $2`,
          [runId, stepId],
        );
    });

    it.each([
      ['of every workflow', () => '/api/v1/workflow-runs?limit=10'],
      ['of the workflow', () => `/api/v1/workflows/${workflowId}/runs?limit=10`],
    ])('leave out of the list %s what is over 64 KiB as JSON, flagged', async (_label, url) => {
      const run = ((await get(url())) as ListedRun[]).find((r) => r.id === runId)!;
      expect(run).toMatchObject({
        status: 'succeeded',
        input: null,
        inputOmitted: true,
        output: null,
        outputOmitted: true,
      });
      const steps = Object.fromEntries(run.steps.map((s) => [s.id, s]));
      // A list carries no step's output, however small: it has its steps' statuses and tasks.
      for (const id of ['big', 'noisy', 'packed', 'small'])
        expect(steps[id]).toMatchObject({ status: 'succeeded', output: null, outputOmitted: true });
    });

    it('still gives one run whole', async () => {
      const run = (await get(`/api/v1/workflow-runs/${runId}`)) as ListedRun;
      expect(run.input).toEqual({ records });
      expect(run).not.toHaveProperty('inputOmitted');
      const steps = Object.fromEntries(run.steps.map((s) => [s.id, s]));
      expect((steps.big.output as { records: unknown[] }).records).toHaveLength(records.length);
      expect((steps.packed.output as { records: unknown[] }).records).toHaveLength(40000);
      expect(steps.small.output).toEqual({ result: 42 });
    });
  });

  describe('of a run of many steps', () => {
    const STEPS = 40;
    /** About 50 kB as JSON: each step's output is under the bound, so only their number makes them large. */
    const rows = records.slice(0, 1000);
    let workflowId: string;
    let runId: string;

    beforeAll(async () => {
      const steps = [
        ...Array.from({ length: STEPS }, (_, i) => ({
          id: `p${i}`,
          agentId: processor,
          input: { records: '{{ input.records }}' },
        })),
        { id: 'never', agentId: calc, input: { expression: '1' }, when: { field: 'input.go', op: 'eq', value: true } },
        { id: 'gate', kind: 'approval', permission: 'workflows:write' },
        { id: 'pause', kind: 'wait', durationMs: 1 },
      ];
      workflowId = await createWorkflow(t, op, { name: 'many', steps });
      runId = (await startRun(t, op, workflowId, { records: rows })).id;
      await request(t.http)
        .post(`/api/v1/workflow-runs/${runId}/steps/gate/approve`)
        .set(...bearer(op))
        .send({ comment: 'go' })
        .expect(200);
      await waitFor(
        async () => ((await get(`/api/v1/workflow-runs/${runId}`)) as ListedRun).status !== 'running',
        60_000,
      );
    }, 90_000);

    it.each([
      ['of every workflow', () => `/api/v1/workflow-runs?workflowId=${workflowId}&limit=1`],
      ['of the workflow', () => `/api/v1/workflows/${workflowId}/runs?limit=1`],
    ])('keep a page %s small whatever its steps produced, saying what they left out', async (_label, url) => {
      const res = await request(t.http)
        .get(url())
        .set(...bearer(op))
        .expect(200);
      // 40 outputs of about 50 kB each: 2 MB when a list carried each step's output up to the bound.
      expect(Buffer.byteLength(res.text)).toBeLessThan(2 * BOUND);
      const [run] = (res.body as { data: ListedRun[] }).data;
      expect(run).toMatchObject({ id: runId, status: 'succeeded', inputOmitted: false, outputOmitted: true });
      expect(run.input).toEqual({ records: rows });
      for (const step of run.steps.slice(0, STEPS))
        expect(step).toMatchObject({
          status: 'succeeded',
          taskId: expect.any(String),
          output: null,
          outputOmitted: true,
        });
      // Every other field of every step as the run itself has it; only a step without an output has nothing left out.
      const whole = (await get(`/api/v1/workflow-runs/${runId}`)) as ListedRun;
      expect(run.steps).toEqual(
        whole.steps.map((step) => ({ ...step, output: null, outputOmitted: step.id !== 'never' })),
      );
      for (const step of whole.steps.slice(0, STEPS)) {
        expect((step.output as { records: unknown[] }).records).toEqual(rows);
        expect(Buffer.byteLength(JSON.stringify(step.output))).toBeLessThan(BOUND);
      }
      expect(whole.steps.slice(STEPS)).toMatchObject([
        { id: 'never', status: 'skipped', output: null },
        {
          id: 'gate',
          kind: 'approval',
          permission: 'workflows:write',
          decision: { outcome: 'approved', comment: 'go' },
        },
        { id: 'pause', kind: 'wait', status: 'succeeded', waitUntil: expect.any(String) },
      ]);
    });
  });
});
