import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { storeRecords } from './factories/files';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** Triggers start runs as the workflow's creator: set with an API key, they read no file the key may not. */
describe('workflow triggers and files:read', () => {
  let t: TestApp;
  let op: TestUser;
  let watched: string;
  let steps: { id: string; agentId: string; input: object }[];

  beforeAll(async () => {
    t = await createTestApp({ env: { TRIGGER_RECONCILE_INTERVAL_MS: '1000' } });
    op = await createUser(t, 'operator');
    watched = (await createAgent(t, op, { type: 'calculator' })).id;
    const processor = (await createAgent(t, op, { type: 'data-processor', config: { pipeline: [] } })).id;
    const file = await storeRecords(t, op, [{ secret: 's' }]);
    steps = [{ id: 'read', agentId: processor, input: { file, pipeline: [] } }];
  });
  afterAll(() => t?.close());

  const key = async (...scopes: string[]): Promise<{ id: string; key: string }> =>
    (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(op))
        .send({ name: 'triggers', scopes })
        .expect(201)
    ).body.data;
  const triggers = () => [{ on: 'task.succeeded', agentId: watched }];
  const runsOf = async (workflowId: string): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM workflow_runs WHERE workflow_id = $1`, [workflowId]))[0]
      .n;

  it('refuses triggers on steps that read a file to a key without files:read; takes them with it', async () => {
    const workflow = await createWorkflow(t, op, { name: 'reads', steps });
    const narrow = await key('workflows:write', 'workflows:read', 'tasks:read');
    const refused = await request(t.http)
      .patch(`/api/v1/workflows/${workflow}`)
      .set('X-API-Key', narrow.key)
      .send({ triggers: triggers() })
      .expect(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('files:read') });
    const [row] = await t.dataSource.query(`SELECT triggers, version FROM workflows WHERE id = $1`, [workflow]);
    expect(row).toEqual({ triggers: [], version: 1 });
    // Clearing them takes nothing more; nor does a key with files:read setting them.
    await request(t.http)
      .patch(`/api/v1/workflows/${workflow}`)
      .set('X-API-Key', narrow.key)
      .send({ triggers: [] })
      .expect(200);
    const wide = await key('workflows:write', 'workflows:read', 'tasks:read', 'files:read');
    await request(t.http)
      .patch(`/api/v1/workflows/${workflow}`)
      .set('X-API-Key', wide.key)
      .send({ triggers: triggers() })
      .expect(200);
  });

  it('starts no run from triggers a key without files:read set on steps that read a file (set before the rule)', async () => {
    const narrow = await key('workflows:write', 'workflows:read', 'tasks:read');
    const byKey = await createWorkflow(t, op, { name: 'by key', steps, triggers: triggers() });
    const byUser = await createWorkflow(t, op, { name: 'by user', steps, triggers: triggers() });
    await t.dataSource.query(`UPDATE workflows SET changed_with_key_id = $1 WHERE id = $2`, [narrow.id, byKey]);
    const task = await submitTask(t, op, { agentId: watched, input: { expression: '1 + 1' } });
    await settled(t, op, task.id);
    await waitFor(async () => (await runsOf(byUser)) === 1, 15_000);
    // A few passes of the reconciler (every second here) later, still none.
    await sleep(3_000);
    expect(await runsOf(byKey)).toBe(0);
  });
});
