import request from 'supertest';
import { calculatorTestBed } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface RunView {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  steps: { id: string; status: string; output: unknown }[];
}

jest.setTimeout(30_000);

describe('workflow steps named like built-in object properties', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    ({ t, op, calc } = await calculatorTestBed());
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  it('runs a chain of steps named constructor and toString as promptly as any other', async () => {
    const workflow = (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({
          name: 'built-in names',
          steps: [
            { id: 'constructor', agentId: calc, input: { expression: 'x * 2', variables: { x: '{{ input.x }}' } } },
            {
              id: 'toString',
              agentId: calc,
              input: { expression: 'y + 1', variables: { y: '{{ steps.constructor.output.result }}' } },
              dependsOn: ['constructor'],
            },
          ],
        })
        .expect(201)
    ).body.data as { id: string };
    const started = (
      await request(t.http)
        .post(`/api/v1/workflows/${workflow.id}/runs`)
        .set(...bearer(op))
        .send({ input: { x: 5 } })
        .expect(202)
    ).body.data as RunView;

    // The sweeper would move a stalled run on only after half a minute or more: well past this wait.
    const done = await waitFor(async () => {
      const run = (
        await request(t.http)
          .get(`/api/v1/workflow-runs/${started.id}`)
          .set(...bearer(op))
      ).body.data as RunView;
      return run.status !== 'running' ? run : undefined;
    }, 15_000);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => [s.id, s.status, s.output])).toEqual([
      ['constructor', 'succeeded', { result: 10 }],
      ['toString', 'succeeded', { result: 11 }],
    ]);
    expect(done.output).toEqual({ toString: { result: 11 } });
  });
});
