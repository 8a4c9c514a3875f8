import { MIGRATIONS } from '../../migrations';
import { revertLastMigration } from '../../src/database/prepare-database';
import type { TestEnv } from './test-app';

/** One of the app's migrations, as {@link MIGRATIONS} lists it. */
type Migration = (typeof MIGRATIONS)[number];

/** Reverts the migrations applied after `migration`, and it. */
export async function revertThrough(env: TestEnv, migration: Migration): Promise<void> {
  const index = MIGRATIONS.indexOf(migration);
  if (index < 0) throw new Error(`${migration.name} is not among the app's migrations`);
  for (let i = index; i < MIGRATIONS.length; i += 1) await revertLastMigration(env.config);
}

/** Takes the database back to before `migration` (and those after it), then up again, as an upgrade runs. */
export async function upgradeFrom(env: TestEnv, migration: Migration): Promise<void> {
  await revertThrough(env, migration);
  await env.prepare();
}
