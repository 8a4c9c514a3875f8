/* global fetch, performance */
/**
 * bench:console's API client, its admin's sign-in, and the seed: the agents through the API, the tasks in SQL.
 */
const { Client } = require('pg');
const { ADMIN, AGENTS, DB, PG_SERVER, TASKS } = require('./settings');

function apiClient(base, token) {
  const call = async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}

async function login(base) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return (await res.json()).data.accessToken;
}

/** Agents through the API; TASKS final tasks (and their one attempt) spread over 30 days, in SQL. */
async function seed(api) {
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const name = `bench-console-${String(i).padStart(2, '0')}`;
    agents.push((await api.post('/api/v1/agents', { name, type: 'calculator', config: {} })).data.id);
  }
  const db = new Client({ connectionString: `${PG_SERVER}/${DB}` });
  await db.connect();
  try {
    const started = performance.now();
    const [{ id: adminId }] = (await db.query('SELECT id FROM users WHERE email = $1', [ADMIN.email])).rows;
    await db.query(
      `INSERT INTO tasks (agent_id, status, input, output, error, attempts, max_attempts, priority, backoff_ms,
                          created_by, created_at, updated_at, started_at, finished_at)
       SELECT ($1::uuid[])[1 + i % cardinality($1::uuid[])], s.status, '{"expression": "1 + 1"}'::jsonb,
              CASE WHEN s.status = 'succeeded' THEN '{"result": 2}'::jsonb END,
              CASE WHEN s.status = 'failed' THEN '{"code": "DIVISION_BY_ZERO", "message": "Division by zero"}'::jsonb END,
              1, 3, 5, 1000, $2, t.created_at, t.created_at,
              t.created_at + interval '20 milliseconds',
              t.created_at + (20 + i % 500) * interval '1 millisecond'
       FROM generate_series(1, $3::int) AS i
       -- Older than a minute: the tasks of the live part are the newest.
       CROSS JOIN LATERAL (SELECT now() - interval '1 minute' - (i / $3::float) * interval '30 days' AS created_at) AS t
       CROSS JOIN LATERAL (SELECT CASE WHEN i % 20 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'cancelled'
                                       ELSE 'succeeded' END AS status) AS s`,
      [agents, adminId, TASKS],
    );
    await db.query(
      `INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at, error, worker_id)
       SELECT id, 1, status, started_at, finished_at, error, 'bench-console-seed' FROM tasks`,
    );
    await db.query('ANALYZE tasks');
    await db.query('ANALYZE task_attempts');
    return { agents, seedMs: performance.now() - started };
  } finally {
    await db.end();
  }
}

module.exports = { apiClient, login, seed };
