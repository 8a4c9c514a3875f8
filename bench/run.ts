import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alternatives } from './alternatives';
import { auditScale } from './audit-scale';
import { bigInputs } from './big-inputs';
import { bigWorkflows } from './big-workflows';
import { bulkRetry } from './bulk-retry';
import type { BenchContext } from './context';
import { apiHeap, DURATION_S, ROOT, ROUNDS, type Row, rssMb, SETTLE_S, WARMUP_S } from './harness';
import { filteredList, readVsCeiling, submitVsCeiling } from './http';
import { listeners } from './listeners';
import { launchPlatform } from './platform';
import { retention } from './retention';
import { BENCH_ADMIN } from './server-env';
import { type StartupMemory, throughput } from './throughput';
import { yearOfData } from './year-of-data';

/**
 * `npm run bench`: the platform as in production (an api and a worker process) against its ceilings, in
 * one run, with autocannon in a process of its own. Prints a table, writes bench/results/<time>.json and
 * ends with `bench: N targets met, M missed`.
 */

/** BENCH_SCENARIOS=a,b runs only those scenarios (e needs d); all by default. */
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'a,b,c,d,e,f,g,h,i,j,k,l').split(',').map((s) => s.trim()));
const want = (scenario: string): boolean => SCENARIOS.has(scenario);

/**
 * The finished tasks (c) lists, written straight into Postgres, then vacuumed as autovacuum would have done to
 * tasks that finished a while ago (as (f)'s seed is): a list's bounded count reads the status index alone only
 * where the visibility map says the rows are visible to all, which a table never vacuumed does not say.
 */
async function seedFinishedTasks(ctx: BenchContext): Promise<void> {
  const [{ id: adminId }] = (await ctx.db.query(`SELECT id FROM users WHERE email = $1`, [BENCH_ADMIN.email])).rows as {
    id: string;
  }[];
  await ctx.db.query(
    `INSERT INTO tasks (agent_id, status, input, output, max_attempts, priority, backoff_ms, created_by, created_at, finished_at, attempts)
     SELECT $1, CASE WHEN g % 4 = 0 THEN 'failed' ELSE 'succeeded' END, '{"expression":"1"}', '{"result":1}', 3, 5, 1000, $2,
            now() - (g || ' seconds')::interval, now(), 1
     FROM generate_series(1, 100000) g`,
    [ctx.agentId, adminId],
  );
  await ctx.db.query('VACUUM (ANALYZE) tasks');
}

async function scenarios(ctx: BenchContext, rows: Row[]): Promise<void> {
  const bootApi = rssMb(ctx.api.child.pid!);
  if (want('e')) await sleep(SETTLE_S * 1000);
  const memory: StartupMemory = { bootApi, idleApi: rssMb(ctx.api.child.pid!), idleApiHeap: await apiHeap(ctx.apiUrl) };
  if (want('a')) rows.push(submitVsCeiling(ctx));
  if (want('b')) rows.push(await readVsCeiling(ctx));
  await seedFinishedTasks(ctx);
  if (want('c')) rows.push(filteredList(ctx));
  if (want('d')) rows.push(...(await throughput(ctx, want('e') ? memory : undefined)));
  if (want('k')) rows.push(...(await alternatives(ctx)));
  if (want('l')) rows.push(await bulkRetry(ctx));
  if (want('h')) rows.push(...(await bigInputs()));
  if (want('f')) rows.push(...(await yearOfData()));
  if (want('g')) rows.push(...(await retention()));
  if (want('j')) rows.push(...(await listeners()));
  if (want('f') || want('g')) rows.push(...(await auditScale({ list: want('f'), retention: want('g') })));
  if (want('i')) rows.push(...(await bigWorkflows()));
}

function report(rows: Row[]): void {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    rounds: ROUNDS,
  };
  process.stdout.write(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}\n`,
  );
  for (const row of rows)
    process.stdout.write(
      `${row.met ? 'MET   ' : 'MISSED'}  ${row.scenario}\n        ${row.value}  [target ${row.target}]\n`,
    );
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, rows }, null, 2));
  const met = rows.filter((r) => r.met).length;
  process.stdout.write(`results: ${file}\nbench: ${met} targets met, ${rows.length - met} missed\n`);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const ctx = await launchPlatform({ name: Date.now().toString(36), ceiling: true });
  try {
    await scenarios(ctx, rows);
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    throw err;
  } finally {
    await ctx.close();
  }
  report(rows);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
