import request from 'supertest';
import type { OperationView } from './factories/bulk-operations';
import { createAgent } from './factories/tasks';
import { createWorkflow } from './factories/workflows';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * A bulk operation is read with the read permission of the items it acts on: `tasks:read` for one on tasks,
 * `workflows:read` for one on workflow runs. The list shows only the kinds the caller may read, and counts them
 * alone.
 */
describe('bulk operations are read with the read permission of their kind', () => {
  let t: TestApp;
  let op: TestUser;
  let admin: TestUser;
  let workflowId: string;
  let tasksOp: string;
  let runsOp: string;
  const keys: Record<'tasks' | 'runs' | 'both' | 'neither', string> = { tasks: '', runs: '', both: '', neither: '' };

  const keyWith = async (...scopes: string[]): Promise<string> =>
    (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(op))
        .send({ name: `bulk-${scopes.join('-')}`.replace(/:/g, '_'), scopes })
        .expect(201)
    ).body.data.key;
  const get = (key: string, id: string) => request(t.http).get(`/api/v1/bulk-operations/${id}`).set('X-API-Key', key);
  const list = (key: string) =>
    request(t.http).get('/api/v1/bulk-operations').query({ limit: 100 }).set('X-API-Key', key).expect(200);
  const stored = async (kinds: string[]): Promise<string[]> =>
    (
      (await t.dataSource.query(
        `SELECT id FROM bulk_operations WHERE created_by = $1 AND kind = ANY($2) ORDER BY created_at DESC, id DESC`,
        [op.id, kinds],
      )) as { id: string }[]
    ).map((r) => r.id);

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    const agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    workflowId = await createWorkflow(t, op, { steps: [{ id: 'a', agentId, input: { expression: '1' } }] });
    keys.tasks = await keyWith('tasks:read', 'tasks:write');
    keys.runs = await keyWith('workflows:read', 'workflows:write');
    keys.both = await keyWith('tasks:read', 'workflows:read');
    keys.neither = await keyWith('agents:read');
    // Two of each kind, each made by a key that may make it (nothing matches: they end at once, as they are).
    const make = async (key: string, kind: string, filter: object) =>
      (
        await request(t.http)
          .post(`/api/v1/${kind}/bulk`)
          .set('X-API-Key', key)
          .send({ action: 'cancel', filter })
          .expect(202)
      ).body.data.id as string;
    tasksOp = await make(keys.tasks, 'tasks', { tag: 'none' });
    await make(keys.tasks, 'tasks', { tag: 'other' });
    runsOp = await make(keys.runs, 'workflow-runs', { workflowId });
    await make(keys.runs, 'workflow-runs', { workflowId, tag: 'other' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a key with workflows:read reads the operation it made on runs, and lists only operations on runs', async () => {
    const one = await get(keys.runs, runsOp).expect(200);
    expect(one.body.data).toMatchObject({ id: runsOp, kind: 'workflow-runs', filter: { workflowId } });
    await get(keys.runs, tasksOp).expect(404);
    const page = await list(keys.runs);
    const runs = await stored(['workflow-runs']);
    expect(page.body.data.map((o: OperationView) => o.id)).toEqual(runs);
    expect(page.body.meta.total).toBe(runs.length);
    expect(runs).toHaveLength(2);
  });

  it('a key with tasks:read alone neither reads nor lists an operation on runs, nor its filter', async () => {
    const hidden = await get(keys.tasks, runsOp).expect(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    await get(keys.tasks, tasksOp).expect(200);
    const page = await list(keys.tasks);
    const tasks = await stored(['tasks']);
    expect(page.body.data.map((o: OperationView) => o.id)).toEqual(tasks);
    expect(page.body.meta.total).toBe(tasks.length);
    expect(JSON.stringify(page.body)).not.toContain(workflowId);
    // Paged, the total is still theirs alone.
    const first = await request(t.http)
      .get('/api/v1/bulk-operations')
      .query({ limit: 1 })
      .set('X-API-Key', keys.tasks)
      .expect(200);
    expect(first.body.data.map((o: OperationView) => o.id)).toEqual([tasks[0]]);
    expect(first.body.meta.total).toBe(2);
  });

  it('a caller with both reads and lists both kinds; the user and an admin too', async () => {
    const all = await stored(['tasks', 'workflow-runs']);
    expect(all).toHaveLength(4);
    const page = await list(keys.both);
    expect(page.body.data.map((o: OperationView) => o.id)).toEqual(all);
    expect(page.body.meta.total).toBe(4);
    await get(keys.both, runsOp).expect(200);
    await get(keys.both, tasksOp).expect(200);
    const mine = await request(t.http)
      .get('/api/v1/bulk-operations')
      .set(...bearer(op))
      .expect(200);
    expect(mine.body.meta.total).toBe(4);
    for (const id of [runsOp, tasksOp])
      await request(t.http)
        .get(`/api/v1/bulk-operations/${id}`)
        .set(...bearer(admin))
        .expect(200);
  });

  it('a key with neither read permission is refused with 403, and the refusal audited', async () => {
    for (const res of [
      await get(keys.neither, runsOp),
      await request(t.http).get('/api/v1/bulk-operations').set('X-API-Key', keys.neither),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({
        code: 'FORBIDDEN',
        message: 'This takes the tasks:read or workflows:read permission, which this API key does not hold',
      });
    }
    await t.chainAudit();
    const denied = (await t.dataSource.query(
      `SELECT details FROM audit_logs WHERE action = 'permission.denied' AND actor_type = 'apiKey' ORDER BY seq`,
    )) as { details: { anyOf: string[]; path: string } }[];
    expect(denied.map((d) => [d.details.path, d.details.anyOf])).toEqual([
      ['/api/v1/bulk-operations/:id', ['tasks:read', 'workflows:read']],
      ['/api/v1/bulk-operations', ['tasks:read', 'workflows:read']],
    ]);
  });
});
