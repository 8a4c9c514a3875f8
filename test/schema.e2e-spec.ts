import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { pendingSchemaChanges, revertLastMigration, runMigrations } from '../src/database/prepare-database';
import { MIGRATIONS } from '../migrations';
import { RunStepRows1764182000000 } from '../migrations/1764182000000-run-step-rows';
import { TaskErrorCodeColumn1764183000000 } from '../migrations/1764183000000-task-error-code-column';
import { revertThrough } from './utils/migrations';
import { TestEnv } from './utils/test-app';
import { preflight } from '../src/app/preflight';

/** Runs `fn` with a connection of its own to the test's database, closed afterwards. */
async function withDataSource<T>(env: TestEnv, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource(dataSourceOptions(env.config, 1));
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

function tables(env: TestEnv): Promise<string[]> {
  return withDataSource(env, async (ds) => {
    const rows: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('migrations', 'typeorm_metadata') ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  });
}

describe('database schema', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    await env.prepare();
  });
  afterAll(async () => {
    await env.destroy();
  });

  it('matches the entities exactly once the migrations are applied', async () => {
    await expect(pendingSchemaChanges(env.config)).resolves.toEqual([]);
  });

  it('moves run step states to rows of their own and back, every state kept', () =>
    withDataSource(env, async (ds) => {
      await revertThrough(env, RunStepRows1764182000000);
      const [{ id: userId }] = await ds.query(
        `INSERT INTO users (email, name, password_hash, role) VALUES ('steps@example.com', 's', 'x', 'admin') RETURNING id`,
      );
      const [{ id: workflowId }] = await ds.query(
        `INSERT INTO workflows (name, steps, created_by) VALUES ('w', '[]', $1) RETURNING id`,
        [userId],
      );
      const steps = {
        a: { status: 'succeeded', taskId: null, output: { result: 3 }, error: null },
        b: { status: 'waiting', taskId: null, output: null, error: null, kind: 'approval' },
      };
      const [{ id: runId }] = await ds.query(
        `INSERT INTO workflow_runs (workflow_id, workflow_version, definition, status, input, steps, created_by)
         VALUES ($1, 1, '[]', 'running', '{}', $2, $3) RETURNING id`,
        [workflowId, JSON.stringify(steps), userId],
      );
      await runMigrations(env.config);
      const rows = (await ds.query(`SELECT step_id AS id, state FROM workflow_run_steps WHERE run_id = $1 ORDER BY 1`, [
        runId,
      ])) as { id: string; state: unknown }[];
      expect(Object.fromEntries(rows.map((r) => [r.id, r.state]))).toEqual(steps);

      await revertThrough(env, RunStepRows1764182000000);
      const [back] = (await ds.query(`SELECT steps FROM workflow_runs WHERE id = $1`, [runId])) as {
        steps: unknown;
      }[];
      expect(back.steps).toEqual(steps);
      await runMigrations(env.config);
      await ds.query(`DELETE FROM workflow_runs; DELETE FROM workflows; DELETE FROM users`);
    }));

  it("keeps a task's error code in a column Postgres generates from its error, through up and down", () =>
    withDataSource(env, async (ds) => {
      const code = async (id: string): Promise<unknown> =>
        ((await ds.query(`SELECT error_code FROM tasks WHERE id = $1`, [id])) as { error_code: unknown }[])[0]
          .error_code;
      await revertThrough(env, TaskErrorCodeColumn1764183000000);
      const [{ id: userId }] = await ds.query(
        `INSERT INTO users (email, name, password_hash, role) VALUES ('codes@example.com', 'c', 'x', 'admin') RETURNING id`,
      );
      const [{ id: agentId }] = await ds.query(
        `INSERT INTO agents (name, type, config) VALUES ('a', 'data-processor', '{}') RETURNING id`,
      );
      const insert = (error: unknown): Promise<{ id: string }[]> =>
        ds.query(
          `INSERT INTO tasks (agent_id, status, input, error, max_attempts, priority, backoff_ms, created_by)
           VALUES ($1, 'failed', '{}', $2, 1, 5, 1000, $3) RETURNING id`,
          [agentId, error === null ? null : JSON.stringify(error), userId],
        );
      const [{ id: before }] = await insert({ code: 'DIVISION_BY_ZERO', message: 'Division by zero' });
      await runMigrations(env.config);
      expect(await code(before)).toBe('DIVISION_BY_ZERO');

      const [{ id: after }] = await insert(null);
      expect(await code(after)).toBeNull();
      await ds.query(`UPDATE tasks SET error = '{"code":"TIMEOUT","message":"t"}' WHERE id = $1`, [after]);
      expect(await code(after)).toBe('TIMEOUT');
      await expect(ds.query(`UPDATE tasks SET error_code = 'FORGED' WHERE id = $1`, [after])).rejects.toThrow(
        /can only be updated to DEFAULT/,
      );

      await revertThrough(env, TaskErrorCodeColumn1764183000000);
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM tasks WHERE error->>'code' = 'TIMEOUT'`);
      expect(n).toBe(1);
      await runMigrations(env.config);
      await expect(pendingSchemaChanges(env.config)).resolves.toEqual([]);
      await ds.query(`DELETE FROM tasks; DELETE FROM agents; DELETE FROM users`);
    }));

  it('still matches the entities once migrated again under another database name', () =>
    withDataSource(env, async (ds) => {
      // What a dump restored into a database of another name carries.
      await ds.query(`UPDATE typeorm_metadata SET database = 'restored-from-elsewhere'`);
      await expect(pendingSchemaChanges(env.config)).resolves.not.toEqual([]);
      await expect(runMigrations(env.config)).resolves.toEqual([]);
      await expect(pendingSchemaChanges(env.config)).resolves.toEqual([]);
    }));

  it('reverts every migration and applies them again', async () => {
    expect(await tables(env)).toEqual(expect.arrayContaining(['users', 'audit_logs']));
    for (let i = 0; i < MIGRATIONS.length; i += 1) await revertLastMigration(env.config);
    expect(await tables(env)).toEqual([]);
    const applied = await runMigrations(env.config);
    expect(applied).toHaveLength(MIGRATIONS.length);
    await expect(pendingSchemaChanges(env.config)).resolves.toEqual([]);
  });
});

describe('several processes starting at once on a database not made yet', () => {
  const env = new TestEnv();
  afterAll(async () => {
    await env.destroy();
  });

  it('has one create it and one apply the migrations, each once; the others wait, then start', async () => {
    // Three start-ups: creating the database races, and the migrations (one builds an index CONCURRENTLY, which
    // waits for every statement running in the database) must not wait on a process waiting for them.
    const started = await Promise.all([1, 2, 3].map(() => preflight(env.config)));
    expect(started.filter((s) => s.createdDatabase)).toHaveLength(1);
    const applied = started.flatMap((s) => s.migrations);
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    await expect(pendingSchemaChanges(env.config)).resolves.toEqual([]);
  }, 120_000);
});
