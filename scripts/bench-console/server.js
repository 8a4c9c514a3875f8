/* global setTimeout, clearTimeout */
/**
 * bench:console's server: the built server started on the bench's own database and Redis prefix, stopped,
 * and both removed after it; and the figures of the machine it runs on (CPU time, load average).
 */
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { loadavg } = require('node:os');
const { setTimeout: sleep } = require('node:timers/promises');
const Redis = require('ioredis');
const { Client } = require('pg');
const { ADMIN, DB, PG_SERVER, PREFIX, REDIS_URL, ROOT } = require('./settings');

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function startServer() {
  const child = spawn(process.execPath, ['dist/src/app/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${PG_SERVER}/${DB}`,
      REDIS_URL,
      REDIS_PREFIX: PREFIX,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MIN: '100000000',
      RATE_LIMIT_LOGIN_PER_MIN: '100000',
      RATE_LIMIT_LIVE_PER_MIN: '100000000',
    },
  });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk.toString()));
  child.stderr.on('data', (chunk) => (text += chunk.toString()));
  return { child, output: () => text };
}

async function waitForOutput(server, pattern, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(server.output());
    if (match) return match;
    if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${server.output().slice(-3000)}`);
    await sleep(100);
  }
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function dropDatabase() {
  const pg = new Client({ connectionString: `${PG_SERVER}/postgres` });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
}

async function dropRedisKeys() {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** CPU time (user + system, seconds) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

module.exports = { startServer, waitForOutput, stopServer, dropDatabase, dropRedisKeys, cpuSeconds, loadAverage };
