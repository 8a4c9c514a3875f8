import type { Client } from 'pg';
import { BENCH_ADMIN } from './server-env';

/** Rows a seeding statement writes at once: a statement stays seconds long, and progress shows. */
const CHUNK = 200_000;

interface TaskSeed {
  /** How many tasks. */
  count: number;
  /** Their agents, picked at random per task. */
  agentIds: string[];
  /** The newest task's age and the oldest's, in days; created evenly between. */
  newestDays: number;
  oldestDays: number;
  /** Tasks the newest this many are left queued (as a live platform has a few); the rest are final. */
  queued?: number;
}

/**
 * Tasks as a platform accumulates them, written by SQL (`generate_series`, 200k rows a statement) in seconds,
 * not through the API: 85 % succeeded, 10 % failed, 3 % cancelled, 2 % expired (the newest `queued` left
 * queued), one of `agentIds`, a third with a tag of 20, a metadata key, and one attempt each (but the expired
 * and queued ones, which never ran). Created by the bench admin; VACUUM ANALYZE at the end, as autovacuum would
 * have done on a table that grew over a year, then a CHECKPOINT: a year's rows are on disk long since, where a
 * seed's gigabyte would otherwise still be written out (and its WAL flushed) while the first rounds measure.
 */
export async function seedTasks(db: Client, seed: TaskSeed): Promise<{ seconds: number }> {
  const started = Date.now();
  const [{ id: adminId }] = (await db.query(`SELECT id FROM users WHERE email = $1`, [BENCH_ADMIN.email])).rows as {
    id: string;
  }[];
  for (let from = 1; from <= seed.count; from += CHUNK) {
    const to = Math.min(seed.count, from + CHUNK - 1);
    await db.query(
      `WITH g AS (
         SELECT g, random() AS r,
                now() - ($7::float8 + ($8::float8 - $7::float8) * (g - 1) / greatest($3::int - 1, 1)) * interval '1 day'
                  AS at
           FROM generate_series($4::int, $5::int) g
       ), s AS (
         SELECT g, at, ($1::uuid[])[1 + floor(random() * array_length($1::uuid[], 1))::int] AS agent_id,
                CASE WHEN g <= $6 THEN 'queued' WHEN r < 0.85 THEN 'succeeded' WHEN r < 0.95 THEN 'failed'
                     WHEN r < 0.98 THEN 'cancelled' ELSE 'expired' END AS status
           FROM g
       ), ins AS (
         INSERT INTO tasks (agent_id, status, input, output, error, attempts, max_attempts, priority, backoff_ms,
                            metadata, tags, created_by, created_at, updated_at, started_at, finished_at)
         SELECT agent_id, status, jsonb_build_object('expression', g || ' * 3'),
                CASE WHEN status = 'succeeded' THEN jsonb_build_object('result', g * 3) END,
                CASE status WHEN 'failed' THEN '{"code":"DIVISION_BY_ZERO","message":"Division by zero"}'::jsonb
                            WHEN 'cancelled' THEN '{"code":"CANCELLED","message":"Cancelled by request"}'::jsonb
                            WHEN 'expired' THEN '{"code":"EXPIRED","message":"Not started in time"}'::jsonb END,
                CASE WHEN status IN ('queued', 'expired') THEN 0 ELSE 1 END, 3, 5, 1000,
                jsonb_build_object('source', 'import-' || (g % 10)),
                CASE WHEN random() < 0.33 THEN ARRAY['tag-' || floor(random() * 20)::int]::varchar[]
                     ELSE '{}'::varchar[] END,
                $2::uuid, at, at,
                CASE WHEN status NOT IN ('queued', 'expired') THEN at + interval '1 second' END,
                CASE WHEN status <> 'queued' THEN at + interval '2 seconds' END
           FROM s
         RETURNING id, status, started_at, finished_at, error
       )
       INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at, error, worker_id)
       SELECT id, 1, status, started_at, finished_at, error, 'seed'
         FROM ins WHERE status IN ('succeeded', 'failed', 'cancelled')`,
      [seed.agentIds, adminId, seed.count, from, to, seed.queued ?? 0, seed.newestDays, seed.oldestDays],
    );
  }
  await db.query('VACUUM (ANALYZE) tasks, task_attempts, task_tags');
  await db.query('CHECKPOINT');
  return { seconds: (Date.now() - started) / 1000 };
}

/** `n` more calculator agents on the platform, for tasks spread over several agents. */
export async function moreAgents(call: <T>(path: string, body?: unknown) => Promise<T>, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const agent = await call<{ id: string }>('/api/v1/agents', {
      name: `bench-calc-${i}`,
      type: 'calculator',
      concurrency: 1000,
    });
    ids.push(agent.id);
  }
  return ids;
}
