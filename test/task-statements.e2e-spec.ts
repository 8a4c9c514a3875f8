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

  /**
   * The indexes of the statement's plan: the plan made for these values, and the generic plan the worker's named
   * prepared statement may settle on (made for no values at all).
   */
  async function plans(sql: string, params: unknown[]): Promise<string[][]> {
    const [custom] = await t.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.query('SET plan_cache_mode = force_generic_plan');
      await runner.query(`PREPARE planned AS ${sql}`);
      // EXECUTE takes no bound parameters: the values go as literals of the parameters' own types.
      const [generic] = await runner.query(`EXPLAIN (FORMAT JSON) EXECUTE planned(${params.map(literal).join(', ')})`);
      return [indexesOf(custom['QUERY PLAN']), indexesOf(generic['QUERY PLAN'])];
    } finally {
      await runner.query('DEALLOCATE ALL').catch(() => undefined);
      await runner.release();
    }
  }

  it('starts attempts through the primary key, whatever the statistics say of active tasks', async () => {
    const both = await plans(startStatement('t.id'), [ids, ids.map(() => new Date()), 'planner-test']);
    for (const indexes of both) {
      expect(indexes).toContain('tasks_pk');
      expect(indexes).not.toContain('tasks_status_created_idx');
    }
  });

  it('records outcomes through the primary key, whatever the statistics say of active tasks', async () => {
    const both = await plans(FINISH_STATEMENT, [
      ids,
      ids.map(() => 1),
      ids.map(() => 'succeeded'),
      ids.map(() => '{"result":1}'),
      ids.map(() => null),
      ids.map(() => new Date()),
      ids.map(() => null),
    ]);
    for (const indexes of both) {
      expect(indexes).toContain('tasks_pk');
      expect(indexes).not.toContain('tasks_status_created_idx');
    }
  });
});

/** A value as an SQL literal of no type yet (an array as Postgres writes one), which takes the parameter's type. */
function literal(value: unknown): string {
  const text = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
  const element = (v: unknown): string => (v === null ? 'NULL' : `"${text(v).replace(/[\\"]/g, '\\$&')}"`);
  if (value === null) return 'NULL';
  const body = Array.isArray(value) ? `{${value.map(element).join(',')}}` : text(value);
  return `'${body.replace(/'/g, "''")}'`;
}
