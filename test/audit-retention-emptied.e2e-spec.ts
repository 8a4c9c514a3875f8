import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { archiveFirstSeq, archiveName } from '../src/audit/audit-checkpoint';
import { AuditCheckpoints } from '../src/audit/audit-checkpoints';
import { AuditRetention, type RetentionPass } from '../src/audit/audit-retention';
import { ADMIN, bearer, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const DAY_MS = 86_400_000;

/**
 * An instance with no audited activity for a whole retention period: a pass archives and deletes every entry of
 * the table. The chain must go on from the checkpoint, not start again under it, where the next pass would take
 * the new entries for archived ones and delete them.
 */
describe('audit retention when it empties the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ymera-audit-emptied-'));
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        APP_ROLE: 'api',
        AUDIT_RETENTION_DAYS: '30',
        AUDIT_ARCHIVE_DIR: dir,
        AUDIT_RETENTION_INTERVAL_MS: String(DAY_MS),
      },
    });
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    await t.chainAudit();
  });
  afterAll(async () => {
    await t?.close();
    await t?.env.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One pass with `cutoff` (waiting for one of another process, such as the one at boot, to end). */
  const pass = (cutoff: Date): Promise<RetentionPass> =>
    waitFor(async () => (await t.app.get(AuditRetention).pass(cutoff)) ?? false, 60_000);
  const verify = async () =>
    (
      await request(t.http)
        .get('/api/v1/audit-logs/verify')
        .set(...bearer(admin))
        .expect(200)
    ).body.data;
  const rows = (): Promise<{ seq: string; prev_hash: string; action: string }[]> =>
    t.dataSource.query(`SELECT seq, prev_hash, action FROM audit_logs ORDER BY seq`);
  /** A change after the table was emptied: entries audited now. */
  const change = async (name: string) => {
    await request(t.http)
      .post('/api/v1/agents')
      .set(...bearer(admin))
      .send({ name, type: 'calculator' })
      .expect(201);
    await t.chainAudit();
  };

  it('goes on from the checkpoint, and a later pass keeps what it did not archive', async () => {
    // Every entry so far is older than a cutoff in the future: the pass empties the table.
    await pass(new Date(Date.now() + DAY_MS));
    expect(await rows()).toEqual([]);
    const checkpoint = (await t.app.get(AuditCheckpoints).latest())!;

    await change('after-the-quiet-period');
    const after = await rows();
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]).toMatchObject({
      seq: String(BigInt(checkpoint.lastSeq) + 1n),
      prev_hash: checkpoint.lastHash,
    });

    // The next ordinary pass: nothing is due, and nothing audited since is deleted.
    await pass(new Date(Date.now() - 30 * DAY_MS));
    expect(await rows()).toEqual(after);
    expect(await verify()).toMatchObject({
      valid: true,
      checked: after.length,
      anchor: { kind: 'checkpoint', seq: checkpoint.lastSeq },
    });
  });

  it('finds an entry inside a checkpoint that its archive does not hold, and never deletes it', async () => {
    const checkpoint = (await t.app.get(AuditCheckpoints).latest())!;
    // As a chain that started again at 1 under the checkpoint (what an older version did) left it: an entry
    // written after the checkpoint's cutoff (here a day ahead: the pass above took everything up to then).
    const [stray] = await t.dataSource.query(
      `INSERT INTO audit_logs (id, seq, "timestamp", actor_type, action, outcome, details, prev_hash, hash)
       VALUES (gen_random_uuid(), 1, $1::timestamptz + interval '1 minute', 'system', 'stray.entry', 'success', '{}',
               repeat('0', 64), repeat('a', 64))
       RETURNING id`,
      [checkpoint.cutoff],
    );
    expect(BigInt(checkpoint.lastSeq)).toBeGreaterThanOrEqual(1n);
    expect(await verify()).toMatchObject({
      valid: false,
      reason: 'link',
      firstBrokenSeq: '1',
      firstBrokenId: stray.id,
    });
    await pass(new Date(Date.now() - 30 * DAY_MS));
    const [kept] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE id = $1`, [stray.id]);
    expect(kept.n).toBe(1);
  });

  it('goes past a gap right after the checkpoint without writing an archive, and stops at the break it makes', async () => {
    const checkpoint = (await t.app.get(AuditCheckpoints).latest())!;
    await change('before-the-gap');
    const next = String(BigInt(checkpoint.lastSeq) + 1n);
    // The entry right after the checkpoint removed by hand (the table's triggers off): a gap the chain cannot cross.
    await t.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`DELETE FROM audit_logs WHERE seq = $1`, [next]);
    });
    const left = await rows();
    const archives = () => readdirSync(dir).filter((name) => archiveFirstSeq(name) === BigInt(next));

    // Nothing due: no archive of nothing, no checkpoint, nothing deleted.
    expect(await pass(new Date(Date.now() - 30 * DAY_MS))).toEqual({ archived: 0, deleted: 0, checkpoints: 0 });
    expect(archives()).toEqual([]);
    expect((await t.app.get(AuditCheckpoints).latest())!.id).toBe(checkpoint.id);

    // An archive of nothing, as an earlier version wrote there, is nobody's: it is removed, not taken for another's.
    writeFileSync(join(dir, archiveName(next, next)), gzipSync(''));
    // All due: the entry after the gap does not link to the checkpoint; it is neither archived nor deleted, and
    // every later pass says the same (no archive left behind to be taken for another deployment's).
    for (let i = 0; i < 2; i += 1)
      await expect(t.app.get(AuditRetention).pass(new Date(Date.now() + DAY_MS))).rejects.toThrow(
        'the audit chain does not hold at entry',
      );
    expect(await rows()).toEqual(left);
    expect(archives()).toEqual([]);
    expect((await t.app.get(AuditCheckpoints).latest())!.id).toBe(checkpoint.id);
  });
});
