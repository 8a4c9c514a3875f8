import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { preflight } from '../src/app/preflight';
import { entryHash, GENESIS_HASH } from '../src/audit/audit-chain';
import { loadConfig } from '../src/config/app-config';
import { LIST_CONNECTIONS, load, type Row, rssMb } from './harness';
import { launchPlatform, type Platform } from './platform';
import { PG_SERVER } from './server-env';

/** (f)/(g) on the audit log: BENCH_F_AUDIT entries (1,000,000), a year of them, seeded before the platform boots. */
const ENTRIES = Number(process.env.BENCH_F_AUDIT ?? 1_000_000);
const INSERT_BATCH = 10_000;
const DAY_MS = 86_400_000;
const ACTIONS = [
  'task.create',
  'task.cancel',
  'task.retry',
  'agent.update',
  'auth.login',
  'workflow.run',
  'user.update',
];
const USERS = Array.from({ length: 50 }, () => randomUUID());
const AGENTS = Array.from({ length: 20 }, () => randomUUID());

interface Seeded {
  user: string;
  agent: string;
  /** A week in the middle of the year. */
  week: { from: string; to: string };
}

/**
 * The chain from the genesis: entries spread over the year before the retention cutoff (now − 30 days), hashed
 * in one streamed pass, inserted 10,000 a statement with the table's indexes built afterwards.
 */
async function seed(db: Client, n: number): Promise<Seeded> {
  const indexes = (
    await db.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_logs' AND indexname <> 'audit_logs_pk'`,
    )
  ).rows as { indexname: string; indexdef: string }[];
  for (const index of indexes) await db.query(`DROP INDEX "${index.indexname}"`);
  const end = Date.now() - 31 * DAY_MS;
  const start = end - 365 * DAY_MS;
  const step = (end - start) / n;
  let prevHash = GENESIS_HASH;
  for (let first = 1; first <= n; first += INSERT_BATCH) {
    const cols: unknown[][] = Array.from({ length: 15 }, () => []);
    for (let i = first; i < Math.min(first + INSERT_BATCH, n + 1); i += 1) {
      const user = i % 10 !== 0;
      const action = ACTIONS[i % ACTIONS.length];
      const onAgent = action === 'agent.update';
      const entry = {
        id: randomUUID(),
        seq: String(i),
        timestamp: new Date(Math.floor(start + i * step)),
        actorType: user ? 'user' : 'system',
        actorId: user ? USERS[i % USERS.length] : null,
        action,
        resourceType: onAgent ? 'agent' : 'task',
        resourceId: onAgent ? AGENTS[i % AGENTS.length] : randomUUID(),
        outcome: i % 20 === 0 ? 'failure' : 'success',
        ip: `10.0.${i % 256}.${(i >> 8) % 256}`,
        userAgent: 'bench',
        requestId: randomUUID(),
        details: { agentId: AGENTS[i % AGENTS.length], n: i },
        prevHash,
      };
      const hash = entryHash(entry);
      prevHash = hash;
      const values = [...Object.values(entry), hash];
      values[12] = JSON.stringify(entry.details);
      values.forEach((v, k) => cols[k].push(v));
    }
    await db.query(
      `INSERT INTO audit_logs (id, seq, "timestamp", actor_type, actor_id, action, resource_type, resource_id, outcome,
                               ip, user_agent, request_id, details, prev_hash, hash)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[], $4::varchar[], $5::varchar[], $6::varchar[],
                            $7::varchar[], $8::varchar[], $9::varchar[], $10::varchar[], $11::varchar[], $12::varchar[],
                            $13::jsonb[], $14::char(64)[], $15::char(64)[])`,
      cols,
    );
  }
  for (const index of indexes) await db.query(index.indexdef);
  await db.query('VACUUM ANALYZE audit_logs');
  // Written out before the measuring starts, as a year's entries would be (see seedTasks).
  await db.query('CHECKPOINT');
  const mid = start + (end - start) / 2;
  return {
    user: USERS[7],
    agent: AGENTS[3],
    week: { from: new Date(mid).toISOString(), to: new Date(mid + 7 * DAY_MS).toISOString() },
  };
}

function listRow(p: Platform, seeded: Seeded): Row {
  const filters: Record<string, string> = {
    actor: `actorId=${seeded.user}`,
    action: 'action=task.retry',
    resource: `resourceType=agent&resourceId=${seeded.agent}`,
    'time range': `from=${seeded.week.from}&to=${seeded.week.to}`,
    'action + time range': `action=task.create&from=${seeded.week.from}&to=${seeded.week.to}`,
  };
  const loads = Object.fromEntries(
    Object.entries(filters).map(([name, query]) => [
      name,
      load(`${p.apiUrl}/api/v1/audit-logs?limit=50&${query}`, { token: p.accessToken, connections: LIST_CONNECTIONS }),
    ]),
  );
  const worst = Math.max(...Object.values(loads).map((l) => l.p99));
  const errors = Object.values(loads).reduce((sum, l) => sum + l.errors, 0);
  return {
    scenario: `(f) audit GET /api/v1/audit-logs filtered (limit 50, bounded total), ${ENTRIES.toLocaleString('en')} entries, ${LIST_CONNECTIONS} connections`,
    value: Object.entries(loads)
      .map(([name, l]) => `${name}: ${l.rps} req/s p99 ${l.p99} ms`)
      .join('; '),
    target: 'p99 ≤ 100 ms (each filter)',
    met: worst <= 100 && errors === 0,
    detail: { loads },
  };
}

async function verifyRow(p: Platform): Promise<Row> {
  const pid = p.api.child.pid!;
  const before = rssMb(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, rssMb(pid));
      await sleep(100);
    }
  })();
  const started = Date.now();
  let checked = 0;
  let passes = 0;
  let valid = true;
  let next: string | undefined;
  do {
    const result = await p.call<{ valid: boolean; checked: number; complete: boolean; nextFromSeq?: string }>(
      `/api/v1/audit-logs/verify${next ? `?fromSeq=${next}` : ''}`,
    );
    passes += 1;
    checked += result.checked;
    valid &&= result.valid;
    next = result.complete ? undefined : result.nextFromSeq;
  } while (next);
  const seconds = (Date.now() - started) / 1000;
  sampling = false;
  await sampler;
  const after = rssMb(pid);
  return {
    scenario: `(f) audit GET /api/v1/audit-logs/verify over ${ENTRIES.toLocaleString('en')} entries (streamed)`,
    value:
      `${seconds.toFixed(1)} s for ${checked.toLocaleString('en')} entries in ${passes} pass(es), ` +
      `${Math.round(checked / seconds).toLocaleString('en')} entries/s; api RSS ${before} → peak ${peak} → ${after} MB`,
    target: '≤ 60 s, RSS growth ≤ 50 MB',
    met: valid && checked >= ENTRIES && seconds <= 60 && peak - before <= 50,
    detail: { seconds, checked, passes, valid, rss: { before, peak, after } },
  };
}

async function retentionRow(p: Platform): Promise<Row> {
  const started = Date.now();
  await p.worker();
  for (;;) {
    const { rows } = await p.db.query(
      `SELECT (SELECT max(last_seq) FROM audit_checkpoints)::bigint AS archived,
              (SELECT min(seq) FROM audit_logs)::bigint AS first`,
    );
    const { archived, first } = rows[0] as { archived: string | null; first: string | null };
    if (archived && BigInt(archived) >= BigInt(ENTRIES) && first && BigInt(first) > BigInt(archived)) break;
    if (Date.now() - started > 1_800_000) throw new Error('audit retention did not finish within 30 minutes');
    await sleep(500);
  }
  const seconds = (Date.now() - started) / 1000;
  const after = await p.call<{ valid: boolean; anchor: { kind: string } }>('/api/v1/audit-logs/verify');
  return {
    scenario: `(g) audit retention: archive (gzip NDJSON + signed checkpoints) and delete ${ENTRIES.toLocaleString('en')} entries`,
    value: `${seconds.toFixed(1)} s (${Math.round(ENTRIES / seconds).toLocaleString('en')} entries/s, worker boot included); verify afterwards from the ${after.anchor.kind}: ${after.valid ? 'valid' : 'BROKEN'}`,
    target: 'finishes; chain verifiable from the checkpoint',
    met: after.valid && after.anchor.kind === 'checkpoint',
    detail: { seconds, verifyAfter: after },
  };
}

/** The audit rows of (f), and (g)'s when `retention` is asked for, on a platform of their own. */
export async function auditScale(scenarios: { list: boolean; retention: boolean }): Promise<Row[]> {
  const name = `audit${Date.now().toString(36)}`;
  const env = {
    AUDIT_RETENTION_DAYS: '30',
    AUDIT_ARCHIVE_DIR: `/tmp/ymera-bench-${name}-archive`,
    // The database is prepared here and served by the platform: both with the key its secrets are sealed with.
    SECRETS_KEY: randomBytes(32).toString('hex'),
  };
  // With the platform's REDIS_PREFIX (see launchPlatform): the database records the prefix of the first process on it.
  const config = loadConfig({
    DATABASE_URL: `${PG_SERVER}/ymera_bench_${name}`,
    NODE_ENV: 'development',
    REDIS_PREFIX: `bench-${name}`,
    ...env,
  });
  await preflight(config);
  const db = new Client({ connectionString: config.database.url });
  await db.connect();
  const seedStarted = Date.now();
  const seeded = await seed(db, ENTRIES).finally(() => db.end());
  process.stdout.write(`(f) audit: ${ENTRIES} entries seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`);
  const p = await launchPlatform({ name, env });
  const rows: Row[] = [];
  try {
    if (scenarios.list) rows.push(listRow(p, seeded), await verifyRow(p));
    if (scenarios.retention) rows.push(await retentionRow(p));
  } finally {
    await p.close();
    const { rmSync } = await import('node:fs');
    rmSync(env.AUDIT_ARCHIVE_DIR, { recursive: true, force: true });
  }
  return rows;
}

/** `node dist/bench/audit-scale.js`: these rows alone, without the main run's platform. */
if (require.main === module) {
  auditScale({ list: true, retention: process.env.BENCH_SCENARIOS?.includes('g') ?? true }).then(
    (rows) => {
      for (const row of rows)
        process.stdout.write(
          `${row.met ? 'MET   ' : 'MISSED'}  ${row.scenario}\n        ${row.value}  [target ${row.target}]\n`,
        );
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
