import request from 'supertest';
import { createAgent } from './factories/tasks';
import { createWorkflow } from './factories/workflows';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import { storeRecords } from './factories/files';

/**
 * What an API key sets up to act later (a schedule that starts tasks, a webhook that sends their results, a
 * stream of an agent's tasks) takes the scopes that doing it directly takes: a key scoped to schedules or
 * webhooks alone reaches nothing its scopes leave out.
 */
describe('an API key reaches only what its scopes allow, through what acts for it later', () => {
  let t: TestApp;
  let op: TestUser;
  let agentId: string;
  let workflowId: string;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    workflowId = await createWorkflow(t, op, {
      name: 'reach',
      steps: [{ id: 'a', agentId, input: { expression: '1' } }],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const keyWith = async (...scopes: string[]): Promise<string> =>
    (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(op))
        .send({ name: `reach-${scopes.join('-')}`.replace(/:/g, '_'), scopes })
        .expect(201)
    ).body.data.key;
  const count = async (table: string): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const expectForbidden = (res: request.Response, permission: string): void => {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(res.body.error.message).toContain(permission);
  };

  it('a schedule needs tasks:write for an agent, workflows:write for a workflow; resuming too', async () => {
    const narrow = await keyWith('schedules:write', 'schedules:read');
    const before = await count('schedules');
    const timing = { everyMs: 60_000 };
    const onAgent = { name: 's', target: { agentId, input: { expression: '1' } }, ...timing };
    const onWorkflow = { name: 's', target: { workflowId, input: {} }, ...timing };
    expectForbidden(
      await request(t.http).post('/api/v1/schedules').set('X-API-Key', narrow).send(onAgent),
      'tasks:write',
    );
    expectForbidden(
      await request(t.http).post('/api/v1/schedules').set('X-API-Key', narrow).send(onWorkflow),
      'workflows:write',
    );
    expect(await count('schedules')).toBe(before);
    // Refusals are audited as denied (written once the response has gone).
    await waitFor(async () => {
      const [row] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'schedule.create' AND outcome = 'denied'`,
      );
      return row.n === 2;
    });

    const wide = await keyWith('schedules:write', 'schedules:read', 'tasks:write');
    const made = await request(t.http)
      .post('/api/v1/schedules')
      .set('X-API-Key', wide)
      .send({ ...onAgent, paused: true })
      .expect(201);
    const id = made.body.data.id;
    // The narrow key may pause it or rename it, but not resume it (it would start tasks) nor retarget it.
    await request(t.http)
      .patch(`/api/v1/schedules/${id}`)
      .set('X-API-Key', narrow)
      .send({ name: 'renamed' })
      .expect(200);
    expectForbidden(
      await request(t.http).patch(`/api/v1/schedules/${id}`).set('X-API-Key', narrow).send({ paused: false }),
      'tasks:write',
    );
    expectForbidden(
      await request(t.http).patch(`/api/v1/schedules/${id}`).set('X-API-Key', wide).send({ target: onWorkflow.target }),
      'workflows:write',
    );
    const [row] = await t.dataSource.query(`SELECT paused, agent_id, workflow_id FROM schedules WHERE id = $1`, [id]);
    expect(row).toEqual({ paused: true, agent_id: agentId, workflow_id: null });
    // Ended, it fires again only for one who may start its tasks: a later end, or none, is a resume.
    const past = new Date(Date.now() - 60_000).toISOString();
    await request(t.http)
      .patch(`/api/v1/schedules/${id}`)
      .set('X-API-Key', wide)
      .send({ endAt: past, paused: false })
      .expect(200);
    for (const endAt of [new Date(Date.now() + 86_400_000).toISOString(), null])
      expectForbidden(
        await request(t.http).patch(`/api/v1/schedules/${id}`).set('X-API-Key', narrow).send({ endAt }),
        'tasks:write',
      );
    const [ended] = await t.dataSource.query(`SELECT end_at FROM schedules WHERE id = $1`, [id]);
    expect(ended.end_at.toISOString()).toBe(past);
  });

  it('a webhook needs tasks:read for task events and workflows:read for run events, on creation and change', async () => {
    const narrow = await keyWith('webhooks:write', 'webhooks:read');
    const before = await count('webhook_endpoints');
    const url = 'https://receiver.example.com/hook';
    expectForbidden(
      await request(t.http)
        .post('/api/v1/webhooks')
        .set('X-API-Key', narrow)
        .send({ url, events: ['task.succeeded'] }),
      'tasks:read',
    );
    expectForbidden(
      await request(t.http)
        .post('/api/v1/webhooks')
        .set('X-API-Key', narrow)
        .send({ url, events: ['run.failed'] }),
      'workflows:read',
    );
    expect(await count('webhook_endpoints')).toBe(before);

    const tasksOnly = await keyWith('webhooks:write', 'webhooks:read', 'tasks:read');
    const made = await request(t.http)
      .post('/api/v1/webhooks')
      .set('X-API-Key', tasksOnly)
      .send({ url, events: ['task.succeeded'], enabled: false })
      .expect(201);
    const id = made.body.data.id;
    expectForbidden(
      await request(t.http)
        .patch(`/api/v1/webhooks/${id}`)
        .set('X-API-Key', tasksOnly)
        .send({ events: ['task.succeeded', 'run.succeeded'] }),
      'workflows:read',
    );
    // Enabling it or sending elsewhere is sending its events: the narrow key may do neither.
    expectForbidden(
      await request(t.http)
        .patch(`/api/v1/webhooks/${id}`)
        .set('X-API-Key', narrow)
        .send({ url: 'https://elsewhere.example.com/hook' }),
      'tasks:read',
    );
    expectForbidden(
      await request(t.http).patch(`/api/v1/webhooks/${id}`).set('X-API-Key', narrow).send({ enabled: true }),
      'tasks:read',
    );
    const [row] = await t.dataSource.query(`SELECT events, enabled FROM webhook_endpoints WHERE id = $1`, [id]);
    expect(row).toEqual({ events: ['task.succeeded'], enabled: false });
    await request(t.http).delete(`/api/v1/webhooks/${id}`).set('X-API-Key', narrow).expect(204);
  });

  it('a workflow trigger needs tasks:read for task events and workflows:read for run events', async () => {
    const workflowsOnly = await keyWith('workflows:read', 'workflows:write', 'agents:read');
    const before = await count('workflows');
    const steps = [{ id: 'a', agentId, input: { expression: '1' } }];
    const made = (triggers: object[]) =>
      request(t.http)
        .post('/api/v1/workflows')
        .set('X-API-Key', workflowsOnly)
        .send({ name: 'heard', steps, triggers });
    expectForbidden(await made([{ on: 'task.succeeded', agentId }]), 'tasks:read');
    expect(await count('workflows')).toBe(before);
    // Run events are the workflows' own to read; none at all needs nothing more.
    const plain = await made([]).expect(201);
    await made([{ on: 'run.failed', workflowId }]).expect(201);
    expectForbidden(
      await request(t.http)
        .patch(`/api/v1/workflows/${plain.body.data.id}`)
        .set('X-API-Key', workflowsOnly)
        .send({ triggers: [{ on: 'task.failed', agentId }] }),
      'tasks:read',
    );
    const [row] = await t.dataSource.query(`SELECT triggers FROM workflows WHERE id = $1`, [plain.body.data.id]);
    expect(row.triggers).toEqual([]);
  });

  it('a data-processor task over a file, direct, in a batch or as a workflow step, needs files:read', async () => {
    const processor = (await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } })).id;
    const file = await storeRecords(t, op, [{ name: 'a' }, { name: 'b' }]);
    const overFile = { agentId: processor, input: { file, pipeline: [{ limit: { count: 1 } }] } };
    const tasksOnly = await keyWith('tasks:write', 'tasks:read');
    const [tasks, runs, workflows] = [await count('tasks'), await count('workflow_runs'), await count('workflows')];
    expectForbidden(
      await request(t.http).post('/api/v1/tasks').set('X-API-Key', tasksOnly).send(overFile),
      'files:read',
    );
    expectForbidden(
      await request(t.http)
        .post('/api/v1/tasks/batch')
        .set('X-API-Key', tasksOnly)
        .send({ tasks: [{ agentId, input: { expression: '1' } }, overFile] }),
      'files:read',
    );
    // Records inline read no file: as before.
    await request(t.http)
      .post('/api/v1/tasks')
      .set('X-API-Key', tasksOnly)
      .send({ agentId: processor, input: { records: [{ n: 1 }], pipeline: [] } })
      .expect(202);

    const workflowsOnly = await keyWith('workflows:write', 'workflows:read');
    const steps = [{ id: 'read', ...overFile }];
    expectForbidden(
      await request(t.http).post('/api/v1/workflows').set('X-API-Key', workflowsOnly).send({ name: 'f', steps }),
      'files:read',
    );
    const reading = await createWorkflow(t, op, { name: 'reads-a-file', steps });
    expectForbidden(
      await request(t.http).post(`/api/v1/workflows/${reading}/runs`).set('X-API-Key', workflowsOnly).send({}),
      'files:read',
    );
    expect([await count('tasks'), await count('workflow_runs'), await count('workflows')]).toEqual([
      tasks + 1,
      runs,
      workflows + 1,
    ]);
    const withFiles = await keyWith('workflows:write', 'workflows:read', 'files:read');
    await request(t.http).post(`/api/v1/workflows/${reading}/runs`).set('X-API-Key', withFiles).send({}).expect(202);
  });

  it('a step whose whole input is a template, and a retry of a task or run over a file, need files:read too', async () => {
    const processor = (await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } })).id;
    const input = { file: await storeRecords(t, op, [{ secret: 's' }]), pipeline: [] };
    const workflowsOnly = await keyWith('workflows:write', 'workflows:read');
    // `"{{ input }}"` passes the run's input through: the run's caller would choose the file.
    const whole = [{ id: 'read', agentId: processor, input: '{{ input }}' }];
    expectForbidden(
      await request(t.http).post('/api/v1/workflows').set('X-API-Key', workflowsOnly).send({ name: 'w', steps: whole }),
      'files:read',
    );

    // A task and a run over the file, cancelled while their agent is paused: retried, they would read it.
    const setStatus = (status: string) =>
      request(t.http)
        .patch(`/api/v1/agents/${processor}`)
        .set(...bearer(op))
        .send({ status })
        .expect(200);
    await setStatus('paused');
    const task = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: processor, input })
      .expect(202);
    const reading = await createWorkflow(t, op, { name: 'reads', steps: [{ id: 'read', agentId: processor, input }] });
    const run = await request(t.http)
      .post(`/api/v1/workflows/${reading}/runs`)
      .set(...bearer(op))
      .send({})
      .expect(202);
    for (const path of [`/api/v1/tasks/${task.body.data.id}`, `/api/v1/workflow-runs/${run.body.data.id}`])
      await request(t.http)
        .post(`${path}/cancel`)
        .set(...bearer(op))
        .expect(200);
    await setStatus('active');
    const tasksOnly = await keyWith('tasks:write', 'tasks:read');
    expectForbidden(
      await request(t.http).post(`/api/v1/tasks/${task.body.data.id}/retry`).set('X-API-Key', tasksOnly),
      'files:read',
    );
    expectForbidden(
      await request(t.http).post(`/api/v1/workflow-runs/${run.body.data.id}/retry`).set('X-API-Key', workflowsOnly),
      'files:read',
    );
    // In bulk, dry run or not.
    for (const dryRun of [true, false]) {
      expectForbidden(
        await request(t.http)
          .post('/api/v1/tasks/bulk')
          .set('X-API-Key', tasksOnly)
          .send({ action: 'retry', filter: { agentId: processor, status: 'cancelled' }, dryRun }),
        'files:read',
      );
      expectForbidden(
        await request(t.http)
          .post('/api/v1/workflow-runs/bulk')
          .set('X-API-Key', workflowsOnly)
          .send({ action: 'retry', filter: { workflowId: reading, status: 'cancelled' }, dryRun }),
        'files:read',
      );
    }
    const [stored] = await t.dataSource.query(`SELECT status, output FROM tasks WHERE id = $1`, [task.body.data.id]);
    expect(stored).toEqual({ status: 'cancelled', output: null });
    const [storedRun] = await t.dataSource.query(`SELECT status FROM workflow_runs WHERE id = $1`, [run.body.data.id]);
    expect(storedRun.status).toBe('cancelled');
    // With files:read, as the user: retried.
    const both = await keyWith('tasks:write', 'tasks:read', 'files:read');
    await request(t.http).post(`/api/v1/tasks/${task.body.data.id}/retry`).set('X-API-Key', both).expect(202);
  });

  it("an agent's stream of its tasks needs tasks:read beside agents:read", async () => {
    const agentsOnly = await keyWith('agents:read');
    const res = await request(t.http).get(`/api/v1/agents/${agentId}/events`).set('X-API-Key', agentsOnly);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    await request(t.http).get(`/api/v1/agents/${agentId}`).set('X-API-Key', agentsOnly).expect(200);
    const both = await keyWith('agents:read', 'tasks:read');
    await request(t.http).head(`/api/v1/agents/${agentId}/events`).set('X-API-Key', both).expect(200);
  });
});
