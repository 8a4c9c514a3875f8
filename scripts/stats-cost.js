/* global console */
/**
 * Measures the statements behind GET /api/v1/stats on a large tasks table.
 *
 *   createdb ymera_stats_bench
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/ymera_stats_bench npm run migration:run
 *   psql -h 127.0.0.1 -U postgres -d ymera_stats_bench -f scripts/stats-1m.sql      # 1,000,000 tasks
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/ymera_stats_bench node scripts/stats-cost.js
 *
 * Prints each statement's plan once, then the median of 7 runs of each (EXPLAIN ANALYZE execution time) and of
 * the four statements run together as the endpoint runs them, for every task (admins) and for one creator's.
 */
const { Client, Pool } = require('pg');
const { TASK_STATS_SQL } = require('../dist/src/tasks/task-stats.js');

const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const client = new Client({ connectionString: url });
  await client.connect();
  const [{ n }] = (await client.query('SELECT count(*)::int AS n FROM tasks')).rows;
  const [{ creator }] = (await client.query('SELECT created_by AS creator FROM tasks LIMIT 1')).rows;
  console.log(`tasks: ${n}`);
  for (const own of [false, true]) {
    const scope = own ? [creator] : [];
    const statements = {
      perMinute: [TASK_STATS_SQL.bucketsSql(own), ['1 minute', 60, ...scope]],
      perHour: [TASK_STATS_SQL.bucketsSql(own), ['1 hour', 24, ...scope]],
      outcomes: [TASK_STATS_SQL.outcomesSql(own), scope],
      running: [TASK_STATS_SQL.runningSql(own), scope],
    };
    console.log(`\n== ${own ? 'one creator' : 'every task'}`);
    for (const [name, [sql, params]] of Object.entries(statements)) {
      const times = [];
      for (let i = 0; i < RUNS; i++) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
        const plan = rows[0]['QUERY PLAN'][0];
        times.push(plan['Execution Time']);
        if (i === 0 && process.env.SHOW_PLANS) console.log(JSON.stringify(plan.Plan, null, 1));
      }
      console.log(
        `${name}: median ${median(times).toFixed(1)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`,
      );
    }
    const pool = new Pool({ connectionString: url, max: 4 });
    const walls = [];
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      await Promise.all(Object.values(statements).map(([sql, params]) => pool.query(sql, params)));
      walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await pool.end();
    console.log(`all four together (wall): median ${median(walls).toFixed(1)} ms`);
  }
  await client.end();
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
