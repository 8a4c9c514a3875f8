#!/usr/bin/env node
/* global fetch, Buffer, console */
/**
 * What a data-processor task's checkpoints cost: runs one task over ~2.3 MB of records on the built app
 * (`node dist/src/app/main.js`, APP_ROLE=all) against a database of its own, and prints its run time (the task's
 * startedAt to finishedAt) and what Postgres wrote for it: rows inserted and updated, and the size of the
 * tasks table and the checkpoint parts table with autovacuum off (every row version written stays, so the
 * size is what was written, after compression), and the WAL the whole server wrote meanwhile (an upper
 * bound: other databases of the server count too).
 *
 *   npm run build && node scripts/checkpoint-cost.js [app directory, default: this checkout]
 *
 * Settings: CHECKPOINT_COST_RECORDS (23000), CHECKPOINT_COST_CHUNK (500), CHECKPOINT_COST_DATABASE_SERVER
 * (postgres://postgres@127.0.0.1:5432), CHECKPOINT_COST_REDIS_URL (redis://127.0.0.1:6379).
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { once } = require('node:events');
const { createServer } = require('node:net');
const { join, resolve } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { Client } = require('pg');

const APP_DIR = resolve(process.argv[2] ?? join(__dirname, '..'));
const PG_SERVER = process.env.CHECKPOINT_COST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.CHECKPOINT_COST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RECORDS = Number(process.env.CHECKPOINT_COST_RECORDS ?? 23_000);
const CHUNK = Number(process.env.CHECKPOINT_COST_CHUNK ?? 500);
const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const DATABASE = `ymera_checkpoint_cost_${id}`;
const ADMIN = { email: 'admin@checkpoint-cost.local', password: randomBytes(12).toString('base64url') };

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function pg(database, fn) {
  const client = new Client({ connectionString: `${PG_SERVER}/${database}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function api(base, path, { token, body, method } = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: method ?? (body ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text).data;
}

async function tableFigures() {
  return pg(DATABASE, async (c) => {
    const { rows } = await c.query(
      `SELECT relname, n_tup_ins::int AS inserted, n_tup_upd::int AS updated,
              pg_total_relation_size(relid)::bigint AS bytes
         FROM pg_stat_user_tables WHERE relname IN ('tasks', 'task_checkpoint_parts') ORDER BY relname`,
    );
    return rows;
  });
}

async function main() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await pg('postgres', (c) => c.query(`CREATE DATABASE ${DATABASE}`));
  const app = spawn(process.execPath, ['dist/src/app/main.js'], {
    cwd: APP_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      APP_ROLE: 'all',
      PORT: String(port),
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${PG_SERVER}/${DATABASE}`,
      REDIS_URL,
      REDIS_PREFIX: `checkpoint-cost-${id}`,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MIN: '100000',
      RATE_LIMIT_LOGIN_PER_MIN: '100000',
    },
  });
  let output = '';
  app.stdout.on('data', (c) => (output += c));
  app.stderr.on('data', (c) => (output += c));
  try {
    let token;
    for (let i = 0; !token; i += 1) {
      if (app.exitCode !== null || i > 600) throw new Error(`the app did not start:\n${output.slice(-2000)}`);
      token = await api(base, '/auth/login', { body: ADMIN })
        .then((d) => d.accessToken)
        .catch(() => sleep(100));
    }
    await pg(DATABASE, async (c) => {
      const tables = ['tasks', 'task_checkpoint_parts'];
      for (const table of tables) {
        const { rowCount } = await c.query(`SELECT 1 FROM pg_tables WHERE tablename = $1`, [table]);
        if (rowCount)
          await c.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)`);
      }
    });
    const agent = await api(base, '/agents', {
      token,
      body: { name: `checkpoint-cost-${id}`, type: 'data-processor', config: { chunkSize: CHUNK } },
    });
    const records = Array.from({ length: RECORDS }, (_, n) => ({
      id: n,
      customer: `customer-${n % 997}`,
      country: ['DE', 'FR', 'US', 'JP'][n % 4],
      amount: (n * 37) % 1000,
      note: 'x'.repeat(20),
    }));
    const pipeline = [{ select: { fields: ['id', 'customer', 'country', 'amount', 'note'] } }];
    const input = { records, pipeline };
    const inputBytes = Buffer.byteLength(JSON.stringify(input));
    const before = await tableFigures();
    const walBefore = await pg(DATABASE, (c) => c.query(`SELECT pg_current_wal_lsn() AS lsn`));
    const task = await api(base, '/tasks', { token, body: { agentId: agent.id, input, maxAttempts: 1 } });
    let done;
    while (!done) {
      await sleep(100);
      const now = await api(base, `/tasks/${task.id}`, { token });
      if (['succeeded', 'failed', 'cancelled'].includes(now.status)) done = now;
    }
    if (done.status !== 'succeeded') throw new Error(`the task ended ${done.status}: ${JSON.stringify(done.error)}`);
    await sleep(1500); // statistics reach pg_stat_user_tables within a second
    const after = await tableFigures();
    const wal = await pg(DATABASE, (c) =>
      c.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS bytes`, [walBefore.rows[0].lsn]),
    );
    const ms = new Date(done.finishedAt).getTime() - new Date(done.startedAt).getTime();
    const mb = (bytes) => (Number(bytes) / 1e6).toFixed(1);
    console.log(`app: ${APP_DIR}`);
    console.log(
      `input: ${RECORDS} records, ${mb(inputBytes)} MB, chunks of ${CHUNK} (${Math.ceil(RECORDS / CHUNK)} chunks)`,
    );
    console.log(`run time (startedAt to finishedAt): ${(ms / 1000).toFixed(2)} s`);
    for (const row of after) {
      const was = before.find((b) => b.relname === row.relname) ?? { inserted: 0, updated: 0, bytes: 0 };
      console.log(
        `${row.relname}: ${row.inserted - was.inserted} rows inserted, ${row.updated - was.updated} updated, ` +
          `${mb(Number(row.bytes) - Number(was.bytes))} MB written (table size growth, autovacuum off)`,
      );
    }
    console.log(`WAL written meanwhile, by the whole server (an upper bound): ${mb(wal.rows[0].bytes)} MB`);
  } finally {
    app.kill('SIGTERM');
    await once(app, 'exit');
    await pg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
