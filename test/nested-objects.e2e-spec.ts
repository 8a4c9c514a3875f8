import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import { createAgent, submitTask } from './factories/tasks';
import { createWorkflow } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * A field that holds one object of fields (a bulk filter, a hook's or a schedule's target) sent as an array of
 * such objects: refused with 400, never taken element by element. A bulk filter sent so used to match every
 * user's items, the owner's narrowing lost on the array.
 */
describe('a nested object sent as an array, or as no object', () => {
  let t: TestApp;
  let op: TestUser;
  let other: TestUser;
  let theirTask: string;
  let theirRun: string;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    other = await createUser(t, 'operator');
    const agent = (await createAgent(t, other, { type: 'calculator' })).id;
    theirTask = (
      await submitTask(t, other, {
        agentId: agent,
        input: { expression: '1 + 1' },
        runAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).id;
    const waiting = await createWorkflow(t, other, { steps: [{ id: 'pause', kind: 'wait', durationMs: 3_600_000 }] });
    theirRun = (
      await request(t.http)
        .post(`/api/v1/workflows/${waiting}/runs`)
        .set(...bearer(other))
        .send({ input: {} })
        .expect(202)
    ).body.data.id as string;
  });
  afterAll(() => t?.close());

  const post = (path: string, body: object) =>
    request(t.http)
      .post(`/api/v1/${path}`)
      .set(...bearer(op))
      .send(body);
  const count = async (table: string) =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0].n;

  it.each([
    ['an array', [{ tag: 'nothing-of-mine' }]],
    ['an array of statuses', [{ status: 'queued' }, { status: 'running' }]],
    ['an empty array', []],
    ['a string', 'tag'],
    ['a number', 1],
  ])('refuses a bulk filter that is %s, for tasks and runs, and changes nothing of anyone', async (_, filter) => {
    const operations = await count('bulk_operations');
    for (const kind of ['tasks', 'workflow-runs']) {
      for (const action of ['cancel', 'retry']) {
        for (const dryRun of [true, false]) {
          const res = await post(`${kind}/bulk`, { action, filter, dryRun, all: true });
          expect({ kind, action, dryRun, status: res.status, code: res.body.error?.code }).toEqual({
            kind,
            action,
            dryRun,
            status: 400,
            code: 'VALIDATION_FAILED',
          });
          expect(res.body.error.details).toContainEqual({ field: '/filter', message: 'must be an object' });
        }
      }
    }
    expect(await count('bulk_operations')).toBe(operations);
    const [task] = await t.dataSource.query(`SELECT status, attempts FROM tasks WHERE id = $1`, [theirTask]);
    expect(task).toEqual({ status: 'queued', attempts: 0 });
    const [run] = await t.dataSource.query(`SELECT status FROM workflow_runs WHERE id = $1`, [theirRun]);
    expect(run.status).toBe('running');
  });

  it("refuses a hook's or a schedule's target sent as an array, storing nothing", async () => {
    const agent = (await createAgent(t, op, { type: 'calculator' })).id;
    const hooks = await count('inbound_hooks');
    const hook = await post('hooks', { name: 'listed', target: [{ agentId: agent }], auth: 'hmac' });
    expect(hook.status).toBe(400);
    expect(hook.body.error.details).toContainEqual({ field: '/target', message: 'must be an object' });
    expect(await count('inbound_hooks')).toBe(hooks);

    const schedules = await count('schedules');
    const schedule = await post('schedules', {
      name: 'listed',
      target: [{ agentId: agent, input: { expression: '1' } }],
      everyMs: 60_000,
    });
    expect(schedule.status).toBe(400);
    expect(schedule.body.error.details).toContainEqual({ field: '/target', message: 'must be an object' });
    expect(await count('schedules')).toBe(schedules);
  });
});
