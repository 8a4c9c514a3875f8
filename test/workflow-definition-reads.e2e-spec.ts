import request from 'supertest';
import { calculatorTestBed } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { createWorkflow, type RunView, startRun, stepOf } from './factories/workflows';
import { type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** What a saved workflow's templates and conditions read: only what is there when they are evaluated. */
describe('what a workflow definition reads', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    ({ t, op, calc } = await calculatorTestBed());
  });
  afterAll(async () => {
    await t?.close();
  });

  const save = (steps: object[]) =>
    request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: `reads-${Math.random().toString(36).slice(2, 8)}`, steps });
  const refusedWith = async (steps: object[]) => {
    const res = await save(steps).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    return res.body.error.details as { field: string; message: string }[];
  };
  const finished = (runId: string) =>
    waitFor(async () => {
      const run = (
        await request(t.http)
          .get(`/api/v1/workflow-runs/${runId}`)
          .set(...bearer(op))
          .expect(200)
      ).body.data as RunView;
      return run.status !== 'running' ? run : undefined;
    }, 20_000);

  const first = () => ({ id: 'a', agentId: calc, input: { expression: '6*7' } });
  const second = () => ({ id: 'b', agentId: calc, input: { expression: '1' }, dependsOn: ['a'] });
  // Reads `a` without depending on it: at run time `a` has not finished, and this fails or is skipped.
  const unrelatedInput = () => ({
    id: 'c',
    agentId: calc,
    input: { expression: '{{ $string(steps.a.output.result) }}' },
  });
  const unrelatedWhen = () => ({
    id: 'd',
    agentId: calc,
    input: { expression: '2' },
    when: { field: 'steps.a.status', op: 'eq', value: 'succeeded' },
  });

  it('refuses a template or condition reading a step it does not depend on, naming the field', async () => {
    expect(await refusedWith([first(), second(), unrelatedInput(), unrelatedWhen()])).toEqual([
      { field: '/steps/2/input', message: 'reads steps.a, which this step does not depend on (add it to dependsOn)' },
      { field: '/steps/3/when', message: 'reads steps.a, which this step does not depend on (add it to dependsOn)' },
    ]);
    // Its own output is not there either, nor a field a step does not have.
    expect(
      await refusedWith([
        first(),
        { id: 'e', agentId: calc, input: { expression: '{{ $string(steps.e.output.result) }}' }, dependsOn: ['a'] },
        { id: 'f', agentId: calc, input: { expression: '{{ steps.a.error.code }}' }, dependsOn: ['a'] },
      ]),
    ).toEqual([
      { field: '/steps/1/input', message: 'reads steps.e, which is this step: it reads only steps it depends on' },
      { field: '/steps/2/input', message: 'reads steps.a.error.code: a step has only output and status' },
    ]);
  });

  it('refuses conditions that can never hold, on their value', async () => {
    const when = (condition: object) => [first(), { ...second(), when: condition }];
    expect(await refusedWith(when({ field: 'input.country', op: 'in', value: 'DE' }))).toEqual([
      { field: '/steps/1/when/value', message: 'in takes an array of the values the field may have' },
    ]);
    expect(await refusedWith(when({ and: [{ field: 'steps.a.output.result', op: 'eq' }] }))).toEqual([
      { field: '/steps/1/when/and/0/value', message: 'eq compares the field with value, which is missing' },
    ]);
    expect(await refusedWith(when({ not: { field: 'steps.a.output.result', op: 'gt', value: true } }))).toEqual([
      { field: '/steps/1/when/not/value', message: 'gt compares numbers or text: nothing is gt true' },
    ]);
  });

  it('refuses a template or condition reading a name outside input and steps', async () => {
    expect(
      await refusedWith([
        { id: 'a', agentId: calc, input: { expression: '{{ $string(task.n) }}' } },
        { id: 'b', agentId: calc, input: { expression: '1' }, when: { field: 'n', op: 'exists' } },
      ]),
    ).toEqual([
      { field: '/steps/0/input', message: 'reads task.n: templates read only input and steps (input.task.n?)' },
      { field: '/steps/1/when', message: 'reads n: conditions read only input and steps (input.n?)' },
    ]);
  });

  it('saves reads of steps upstream through others, functions and variables, and runs them', async () => {
    const workflowId = await createWorkflow(t, op, {
      steps: [
        first(),
        second(),
        {
          id: 'c',
          agentId: calc,
          dependsOn: ['b'],
          input: {
            expression: 'x + y',
            variables: { x: '{{ steps.a.output.result }}', y: '{{ ($n := input.n; $sum(input.items.(v * $n))) }}' },
          },
          when: {
            and: [
              { field: 'steps.a.status', op: 'eq', value: 'succeeded' },
              { field: 'input.n', op: 'gt', value: 1 },
              // Text of digits orders as text: a postal code, a zero-padded id.
              { field: 'input.zip', op: 'gte', value: '07000' },
            ],
          },
        },
      ],
    });
    const input = { n: 2, items: [{ v: 1 }, { v: 2 }], zip: '08001' };
    const run = await finished((await startRun(t, op, workflowId, input)).id);
    expect(run.status).toBe('succeeded');
    expect(stepOf(run, 'c').output).toEqual({ result: 48 });
  });

  it('refuses the same on a change of steps, and leaves the workflow as it was', async () => {
    const workflowId = await createWorkflow(t, op, { steps: [first(), second()] });
    const res = await request(t.http)
      .patch(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .send({ steps: [first(), second(), unrelatedInput()] })
      .expect(400);
    expect(res.body.error.details).toEqual([
      { field: '/steps/2/input', message: 'reads steps.a, which this step does not depend on (add it to dependsOn)' },
    ]);
    const kept = await request(t.http)
      .get(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .expect(200);
    expect(kept.body.data).toMatchObject({ version: 1, steps: [first(), second()] });
  });

  it('still loads, renames and runs a workflow saved before these checks, as it ran then', async () => {
    const workflowId = await createWorkflow(t, op, { steps: [first()] });
    // Stored as an earlier version of the API accepted it.
    await t.dataSource.query(`UPDATE workflows SET steps = $2::jsonb WHERE id = $1`, [
      workflowId,
      JSON.stringify([first(), unrelatedInput(), unrelatedWhen()]),
    ]);
    const read = await request(t.http)
      .get(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .expect(200);
    await request(t.http)
      .patch(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .send({ name: 'renamed' })
      .expect(200);
    // Sent back whole, as read: its steps are no change (no new version), so nothing of them is checked again.
    const { name, description, steps } = read.body.data;
    const same = await request(t.http)
      .patch(`/api/v1/workflows/${workflowId}`)
      .set(...bearer(op))
      .send({ name, description, steps })
      .expect(200);
    expect(same.body.data.version).toBe(read.body.data.version);
    const run = await finished((await startRun(t, op, workflowId)).id);
    expect(stepOf(run, 'a').status).toBe('succeeded');
    expect(stepOf(run, 'c')).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });
    expect(stepOf(run, 'd').status).toBe('skipped');
  });
});
