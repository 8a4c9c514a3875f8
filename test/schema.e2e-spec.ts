import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { pendingSchemaChanges, revertLastMigration, runMigrations } from '../src/database/prepare-database';
import { MIGRATIONS } from '../migrations';
import { TestEnv } from './utils/test-app';

async function tables(env: TestEnv): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(env.config, 1));
  await ds.initialize();
  try {
    const rows: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  } finally {
    await ds.destroy();
  }
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

  it('reverts every migration and applies them again', async () => {
    expect(await tables(env)).toEqual(expect.arrayContaining(['users', 'audit_logs']));
    for (let i = 0; i < MIGRATIONS.length; i += 1) await revertLastMigration(env.config);
    expect(await tables(env)).toEqual([]);
    const applied = await runMigrations(env.config);
    expect(applied).toHaveLength(MIGRATIONS.length);
    await expect(pendingSchemaChanges(env.config)).resolves.toEqual([]);
  });
});
