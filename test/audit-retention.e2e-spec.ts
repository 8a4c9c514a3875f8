import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Client } from 'pg';
import request from 'supertest';
import { Readable } from 'node:stream';
import { type ArchivedEntry, writeArchive } from '../src/audit/audit-archive';
import { CHAINED_COLUMNS } from '../src/audit/audit-chain';
import { AuditRetention, ForeignArchivesError, type RetentionPass } from '../src/audit/audit-retention';
import { AuditCheckpoints } from '../src/audit/audit-checkpoints';
import { archiveName, checkpointKey } from '../src/audit/audit-checkpoint';
import { AuditChainer } from '../src/audit/audit-chainer';
import { AuditVerifier } from '../src/audit/audit-verifier';
import type { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { ADMIN, bearer, login, type TestUser } from './factories/users';
import { buildApp, processEnv, startProcess } from './utils/built-app';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const DAY_MS = 86_400_000;

/** Entries waiting to be chained (as a change writes them); `chained` chains them. */
async function seed(
  db: { query(sql: string, params: unknown[]): Promise<unknown> },
  n: number,
  daysAgo: number,
  action: string,
) {
  await db.query(
    `INSERT INTO audit_pending (id, "timestamp", actor_type, actor_id, action, outcome, details)
     SELECT gen_random_uuid(), now() - make_interval(days => $3) + g * interval '1 ms', 'system', NULL, $1, 'success',
            jsonb_build_object('n', g)
       FROM generate_series(1, $2::int) g`,
    [action, n, daysAgo],
  );
}

/** Every entry in the archive files: seq → id. */
function archived(dir: string): { seqs: string[]; ids: Set<string> } {
  const seqs: string[] = [];
  const ids = new Set<string>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson.gz'))
    .sort()) {
    for (const line of gunzipSync(readFileSync(join(dir, name)))
      .toString()
      .split('\n')
      .filter(Boolean)) {
      const entry = JSON.parse(line) as { seq: string; id: string };
      seqs.push(entry.seq);
      ids.add(entry.id);
    }
  }
  return { seqs, ids };
}

describe('audit retention: archive, signed checkpoint, delete', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ymera-audit-archive-'));
  let t: TestApp;
  let admin: TestUser;
  let oldIds: string[];

  beforeAll(async () => {
    const env = new TestEnv({
      // Periodic jobs run in the worker process this test starts (and kills), not here.
      APP_ROLE: 'api',
      AUDIT_RETENTION_DAYS: '30',
      AUDIT_ARCHIVE_DIR: dir,
      AUDIT_ARCHIVE_FILE_ENTRIES: '700',
      AUDIT_DELETE_BATCH: '100',
      AUDIT_RETENTION_INTERVAL_MS: String(DAY_MS),
    });
    await env.prepare();
    // The oldest entries of the chain (written before the platform's own first entries): a year-old log.
    const db = new Client({ connectionString: env.config.database.url });
    await db.connect();
    await seed(db, 3000, 40, 'retention.old').finally(() => db.end());
    t = await createTestApp({ shared: env });
    await t.chainAudit();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t?.close();
    await t?.env.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One pass (waiting for a pass of another process, such as the one at boot, to end). */
  const pass = (): Promise<RetentionPass> =>
    waitFor(async () => (await t.app.get(AuditRetention).pass(new Date(Date.now() - 30 * DAY_MS))) ?? false, 60_000);
  const verify = async (query = '') =>
    (
      await request(t.http)
        .get(`/api/v1/audit-logs/verify${query}`)
        .set(...bearer(admin))
        .expect(200)
    ).body.data;

  it('survives a worker killed in the middle of a pass: nothing lost, nothing archived twice', async () => {
    oldIds = (await t.dataSource.query(`SELECT id FROM audit_logs WHERE action = 'retention.old'`)).map(
      (r: { id: string }) => r.id,
    );
    buildApp();
    // Its pass at boot archives 700 entries a file and deletes 10 a statement: slow enough to be cut short.
    const worker = startProcess(
      processEnv(t.env, {
        APP_ROLE: 'worker',
        AUDIT_RETENTION_DAYS: '30',
        AUDIT_ARCHIVE_DIR: dir,
        AUDIT_ARCHIVE_FILE_ENTRIES: '700',
        AUDIT_DELETE_BATCH: '10',
      }),
    );
    try {
      await waitFor(
        async () => {
          const [{ n }] = await t.dataSource.query(
            `SELECT count(*)::int AS n FROM audit_logs WHERE seq <= (SELECT max(last_seq) FROM audit_checkpoints)`,
          );
          return n > 0;
        },
        60_000,
        10,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${worker.output().slice(-3000)}`);
      });
    } finally {
      await worker.stop('SIGKILL');
    }
    const [{ left }] = await t.dataSource.query(
      `SELECT count(*)::int AS left FROM audit_logs WHERE seq <= (SELECT max(last_seq) FROM audit_checkpoints)`,
    );
    expect(left).toBeGreaterThan(0);
    // Archived, not yet (all) deleted: verification starts from the checkpoint and holds.
    expect(await verify()).toEqual(
      expect.objectContaining({ valid: true, anchor: expect.objectContaining({ kind: 'checkpoint' }) }),
    );

    // What an interrupted pass may also leave: a half-written file, and an archive of the next entries whose
    // checkpoint was never written.
    const latest = (await t.app.get(AuditCheckpoints).latest())!;
    const next = String(BigInt(latest.lastSeq) + 1n);
    writeFileSync(join(dir, `${archiveName(next, next)}.tmp`), 'half');
    const nextEntries = (await t.dataSource.query(
      `SELECT ${CHAINED_COLUMNS} FROM audit_logs WHERE seq >= $1 AND seq <= $1::bigint + 9 ORDER BY seq`,
      [next],
    )) as ArchivedEntry[];
    expect(nextEntries).toHaveLength(10);
    await writeArchive(dir, archiveName(next, nextEntries[9].seq), Readable.from(nextEntries), latest.lastHash);

    const done = await pass();
    expect(done.deleted).toBeGreaterThan(0);
    const { seqs, ids } = archived(dir);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const id of oldIds) expect(ids.has(id)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE "timestamp" < now() - interval '30 days'`,
    );
    expect(n).toBe(0);
    // The archives hold the chain from its start, without a gap, up to the latest checkpoint.
    const last = (await t.app.get(AuditCheckpoints).latest())!;
    expect(seqs.map(Number)).toEqual(Array.from({ length: Number(last.lastSeq) }, (_, i) => i + 1));
    const [{ first }] = await t.dataSource.query(`SELECT min(seq)::text AS first FROM audit_logs`);
    expect(first).toBe(String(BigInt(last.lastSeq) + 1n));
  }, 240_000);

  it('verifies from the latest checkpoint afterwards, and says so', async () => {
    await seed(t.dataSource, 10, 0, 'retention.recent');
    await t.chainAudit();
    const last = (await t.app.get(AuditCheckpoints).latest())!;
    const result = await verify('?fromSeq=1');
    expect(result).toEqual(
      expect.objectContaining({
        valid: true,
        complete: true,
        fromSeq: String(BigInt(last.lastSeq) + 1n),
        anchor: expect.objectContaining({
          kind: 'checkpoint',
          seq: last.lastSeq,
          hash: last.lastHash,
          archive: last.archive,
        }),
      }),
    );
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_logs');
    expect(result.checked).toBe(n);
  });

  it('lists the checkpoints and reads every archive back against its checkpoint', async () => {
    const list = await request(t.http)
      .get('/api/v1/audit-logs/checkpoints')
      .set(...bearer(admin))
      .expect(200);
    expect(list.body.meta.total).toBeGreaterThanOrEqual(5);
    for (const checkpoint of list.body.data) {
      const res = await request(t.http)
        .get(`/api/v1/audit-logs/checkpoints/${checkpoint.id}/verify`)
        .set(...bearer(admin))
        .expect(200);
      expect(res.body.data).toEqual({ valid: true, signatureValid: true, checked: checkpoint.entries });
    }
    const unknown = await request(t.http)
      .get('/api/v1/audit-logs/checkpoints/999999/verify')
      .set(...bearer(admin))
      .expect(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    // A checkpoint id is a decimal number: anything else is refused as a path id that is not a UUID is elsewhere.
    const notUuid = await request(t.http)
      .get('/api/v1/tasks/not-an-id')
      .set(...bearer(admin))
      .expect(400);
    expect(notUuid.body.error.code).toBe('BAD_REQUEST');
    for (const id of ['not-a-number', '0', '0123', '1'.repeat(19), '1.5']) {
      const res = await request(t.http)
        .get(`/api/v1/audit-logs/checkpoints/${id}/verify`)
        .set(...bearer(admin));
      expect({ id, status: res.status, error: res.body.error }).toEqual({
        id,
        status: 400,
        error: expect.objectContaining({
          code: 'BAD_REQUEST',
          details: [{ field: 'path', message: expect.any(String) }],
        }),
      });
    }
  });

  it('touches no archive it did not write: one of another chain after the latest checkpoint stops the pass', async () => {
    // Another deployment's archives (the same directory, or this database created anew): other entries, other hashes.
    const latest = (await t.app.get(AuditCheckpoints).latest())!;
    const next = BigInt(latest.lastSeq) + 1n;
    const theirs = Array.from({ length: 3 }, (_, i) => ({
      seq: String(next + BigInt(i)),
      hash: randomBytes(32).toString('hex'),
    }));
    const name = archiveName(theirs[0].seq, theirs[2].seq);
    const body = gzipSync(theirs.map((e) => JSON.stringify(e)).join('\n'));
    writeFileSync(join(dir, name), body);
    const files = readdirSync(dir).sort();
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs`))[0].n as number;
    const entries = await count();
    const retention = t.app.get(AuditRetention);
    await expect(retention.pass(new Date(Date.now() - 30 * DAY_MS))).rejects.toThrow(ForeignArchivesError);
    await expect(retention.pass(new Date(Date.now() - 30 * DAY_MS))).rejects.toThrow(
      new RegExp(`holds archives that this database did not write \\(${name}\\)`),
    );
    // Nothing removed, nothing archived, nothing deleted.
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(readFileSync(join(dir, name))).toEqual(body);
    expect((await t.app.get(AuditCheckpoints).latest())!.id).toBe(latest.id);
    expect(await count()).toBe(entries);
    // Moved out of the directory: the next pass runs as before.
    rmSync(join(dir, name));
    expect(await pass()).toEqual({ archived: 0, deleted: 0, checkpoints: 0 });
  });

  it('still refuses to delete an entry that was not archived', async () => {
    await expect(t.dataSource.query(`DELETE FROM audit_logs`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`TRUNCATE audit_logs`)).rejects.toThrow(/append-only/);
  });

  it('finds an archive altered after the fact', async () => {
    const [checkpoint] = (
      await request(t.http)
        .get('/api/v1/audit-logs/checkpoints?limit=1000')
        .set(...bearer(admin))
    ).body.data.slice(-1);
    const path = join(dir, checkpoint.archive);
    const lines = gunzipSync(readFileSync(path)).toString().split('\n');
    const entry = JSON.parse(lines[5]);
    lines[5] = JSON.stringify({ ...entry, details: { n: -1 } });
    writeFileSync(path, gzipSync(lines.join('\n')));
    const res = await request(t.http)
      .get(`/api/v1/audit-logs/checkpoints/${checkpoint.id}/verify`)
      .set(...bearer(admin))
      .expect(200);
    expect(res.body.data).toEqual(
      expect.objectContaining({ valid: false, signatureValid: true, reason: 'hash', firstBrokenSeq: entry.seq }),
    );
  });

  it('verifies a checkpoint after the key is rotated, under the previous key, and fails without it', async () => {
    const config = t.app.get<AppConfig>(APP_CONFIG);
    const before = checkpointKey(config)!;
    const withNewKey = (previousCheckpointKeys: Buffer[]) =>
      new AuditVerifier(
        t.dataSource,
        { ...config, audit: { ...config.audit, checkpointKey: randomBytes(32), previousCheckpointKeys } },
        t.app.get(AuditChainer),
        t.app.get(AuditCheckpoints),
      );
    const rotated = (previousCheckpointKeys: Buffer[]) => withNewKey(previousCheckpointKeys).verify();
    expect(await rotated([randomBytes(32), before])).toEqual(
      expect.objectContaining({ valid: true, anchor: expect.objectContaining({ kind: 'checkpoint' }) }),
    );
    expect(await rotated([])).toEqual(expect.objectContaining({ valid: false, reason: 'checkpoint', checked: 0 }));
    // What a start with the new key alone says (a warning), and with the former one given too (nothing).
    const startedWith = (previousCheckpointKeys: Buffer[]) => withNewKey(previousCheckpointKeys).keyProblem();
    expect(await startedWith([])).toMatch(
      /does not verify under AUDIT_CHECKPOINT_KEY .* AUDIT_CHECKPOINT_KEYS_PREVIOUS/,
    );
    expect(await startedWith([before])).toBeUndefined();
  });

  it('finds a checkpoint altered after the fact', async () => {
    const last = (await t.app.get(AuditCheckpoints).latest())!;
    await t.dataSource.query(`UPDATE audit_checkpoints SET last_hash = $1 WHERE id = $2`, ['f'.repeat(64), last.id]);
    expect(await verify()).toEqual(
      expect.objectContaining({
        valid: false,
        reason: 'checkpoint',
        checked: 0,
        anchor: expect.objectContaining({ kind: 'checkpoint' }),
      }),
    );
    const res = await request(t.http)
      .get(`/api/v1/audit-logs/checkpoints/${last.id}/verify`)
      .set(...bearer(admin))
      .expect(200);
    expect(res.body.data).toEqual(expect.objectContaining({ valid: false, signatureValid: false }));
  });
});
