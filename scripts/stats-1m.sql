-- 1,000,000 tasks over the last 30 days (and a busier last day), for measuring GET /api/v1/stats:
--   psql -d <migrated database> -f scripts/stats-1m.sql
-- then EXPLAIN ANALYZE the statements of src/tasks/task-stats.ts (npm run build && node scripts/stats-cost.js does both).
INSERT INTO agents (name, type)
SELECT 'stats-agent-' || i, (ARRAY['calculator', 'data-processor', 'http', 'llm'])[1 + i % 4]
FROM generate_series(0, 19) AS i
ON CONFLICT DO NOTHING;

WITH a AS (SELECT array_agg(id ORDER BY name) AS ids FROM agents WHERE name LIKE 'stats-agent-%'),
users AS (SELECT array_agg(gen_random_uuid()) AS ids FROM generate_series(1, 50))
INSERT INTO tasks (agent_id, status, input, output, error, attempts, max_attempts, priority, backoff_ms,
                   created_by, created_at, updated_at, started_at, finished_at)
SELECT a.ids[1 + (i % 20)],
       s.status,
       '{"expression": "1 + 1"}'::jsonb,
       CASE WHEN s.status = 'succeeded' THEN '{"result": 2}'::jsonb END,
       CASE WHEN s.status = 'failed' THEN '{"code": "X", "message": "x"}'::jsonb END,
       1, 3, 5, 1000,
       users.ids[1 + (i % 50)],
       t.created_at, t.created_at,
       CASE WHEN s.status <> 'queued' THEN t.created_at + interval '50 milliseconds' END,
       CASE WHEN s.status IN ('succeeded', 'failed', 'cancelled')
            THEN t.created_at + (50 + (i % 5000)) * interval '1 millisecond' END
FROM generate_series(1, 1000000) AS i
CROSS JOIN a CROSS JOIN users
-- 900k spread over 30 days, 100k over the last day.
CROSS JOIN LATERAL (SELECT CASE WHEN i <= 900000 THEN now() - (i / 900000.0) * interval '30 days'
                                ELSE now() - ((i - 900000) / 100000.0) * interval '1 day' END AS created_at) AS t
CROSS JOIN LATERAL (SELECT CASE WHEN t.created_at > now() - interval '2 minutes' AND i % 3 = 0 THEN 'queued'
                                WHEN t.created_at > now() - interval '2 minutes' THEN 'running'
                                WHEN i % 20 = 0 THEN 'failed'
                                WHEN i % 97 = 0 THEN 'cancelled'
                                ELSE 'succeeded' END AS status) AS s;
ANALYZE tasks;
