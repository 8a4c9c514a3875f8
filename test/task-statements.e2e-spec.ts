import { FINISH_STATEMENT, startStatement } from '../src/tasks/persistence/task-state-writer';
import { createAgent } from './factories/tasks';
import { ADMIN, login } from './factories/users';
import { indexesOf } from './utils/query-plan';
import { createTestApp, type TestApp } from './utils/test-app';

describe('the worker’s batched statements', () => {
  let t: TestApp;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { APP_ROLE: 'api' } });
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const insert = (status: string, n: number) =>
      t.dataSource.query(
        `INSERT INTO tasks (agent_id, status, input, max_attempts, priority, backoff_ms, created_by, attempts)
         SELECT $1, $2, '{}', 3, 5, 1000, $3, 1 FROM generate_series(1, $4) RETURNING id`,
        [agent.id, status, admin.id, n],
      ) as Promise<{ id: string }[]>;
    // Statistics taken while no task is active, then a burst of queued tasks they do not know of yet.
    await insert('succeeded', 20_000);
    await t.dataSource.query('ANALYZE tasks');
    const queued = await insert('queued', 1_500);
    ids.push(...queued.slice(0, 20).map((r) => r.id));
  });
  afterAll(() => t?.close());

  async function plan(sql: string, params: unknown[]): Promise<string[]> {
    const [row] = await t.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    return indexesOf(row['QUERY PLAN']);
  }

  it('starts attempts through the primary key, whatever the statistics say of active tasks', async () => {
    const indexes = await plan(startStatement('t.id'), [ids, ids.map(() => new Date()), 'planner-test']);
    expect(indexes).toContain('tasks_pk');
    expect(indexes).not.toContain('tasks_status_created_idx');
  });

  it('records outcomes through the primary key, whatever the statistics say of active tasks', async () => {
    const indexes = await plan(FINISH_STATEMENT, [
      ids,
      ids.map(() => 1),
      ids.map(() => 'succeeded'),
      ids.map(() => '{"result":1}'),
      ids.map(() => null),
      ids.map(() => new Date()),
      ids.map(() => null),
    ]);
    expect(indexes).toContain('tasks_pk');
    expect(indexes).not.toContain('tasks_status_created_idx');
  });
});
