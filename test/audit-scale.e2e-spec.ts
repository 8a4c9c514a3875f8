import request from 'supertest';
import { ADMIN, bearer, login, type TestUser } from './factories/users';
import { AuditVerifier } from '../src/audit/audit-verifier';
import { createTestApp, type TestApp } from './utils/test-app';

/** Entries written straight into the chain's queue (as a change writes them), then chained. */
/** The actors of the seeded entries (users' or API keys' ids). */
const BULK_ACTOR = '0b3c9a52-4f6e-4d2a-9a1e-5c7f00000001';
const FEW_ACTOR = '0b3c9a52-4f6e-4d2a-9a1e-5c7f00000002';

async function seed(t: TestApp, n: number, fields: { action: string; actorId: string; daysAgo?: number }) {
  await t.dataSource.query(
    `INSERT INTO audit_pending (id, "timestamp", actor_type, actor_id, action, resource_type, resource_id, outcome, details)
     SELECT gen_random_uuid(), now() - make_interval(days => $4) + g * interval '1 ms', 'user', $2, $1, 'task',
            'task-' || g, CASE WHEN g % 10 = 0 THEN 'failure' ELSE 'success' END, jsonb_build_object('n', g)
       FROM generate_series(1, $3::int) g`,
    [fields.action, fields.actorId, n, fields.daysAgo ?? 0],
  );
  await t.chainAudit();
}

describe('audit log at scale: bounded list, streamed and ranged verification', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    await seed(t, 12_000, { action: 'scale.bulk', actorId: BULK_ACTOR, daysAgo: 10 });
    await seed(t, 30, { action: 'scale.few', actorId: FEW_ACTOR });
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: string) =>
    (
      await request(t.http)
        .get(`/api/v1/audit-logs?${query}`)
        .set(...bearer(admin))
        .expect(200)
    ).body;

  it('counts a small result exactly and says nothing more follows', async () => {
    const page = await list(`actorId=${FEW_ACTOR}&limit=20`);
    expect(page.meta).toEqual(
      expect.objectContaining({ total: 30, totalCapped: false, hasMore: true, skip: 0, limit: 20 }),
    );
    expect(page.data).toHaveLength(20);
    const seqs = page.data.map((e: { seq: string }) => Number(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const last = await list(`actorId=${FEW_ACTOR}&limit=20&skip=20`);
    expect(last.meta).toEqual(expect.objectContaining({ total: 30, totalCapped: false, hasMore: false }));
    expect(last.data).toHaveLength(10);
    const failures = await list(`actorId=${FEW_ACTOR}&outcome=failure`);
    expect(failures.meta).toEqual(expect.objectContaining({ total: 3, totalCapped: false, hasMore: false }));
  });

  it('bounds the count of a long result: total is a lower bound, flagged, and pages still follow', async () => {
    const page = await list('action=scale.bulk&limit=50');
    expect(page.meta).toEqual(
      expect.objectContaining({ total: 10_000, totalCapped: true, hasMore: true, skip: 0, limit: 50 }),
    );
    const deep = await list('action=scale.bulk&limit=50&skip=11950');
    expect(deep.meta).toEqual(expect.objectContaining({ total: 12_000, totalCapped: false, hasMore: false }));
    expect(deep.data).toHaveLength(50);
  });

  it('pages by keyset with beforeSeq, the same entries as by skip', async () => {
    const first = await list('action=scale.bulk&limit=100');
    const lastSeq = first.data[99].seq as string;
    const byKey = await list(`action=scale.bulk&limit=100&beforeSeq=${lastSeq}`);
    const bySkip = await list('action=scale.bulk&limit=100&skip=100');
    expect(byKey.data.map((e: { id: string }) => e.id)).toEqual(bySkip.data.map((e: { id: string }) => e.id));
    expect(Number(byKey.data[0].seq)).toBeLessThan(Number(lastSeq));
  });

  it('filters by resource and time range', async () => {
    const one = await list(`resourceType=task&resourceId=task-7&actorId=${FEW_ACTOR}`);
    expect(one.data).toEqual([expect.objectContaining({ resourceId: 'task-7', action: 'scale.few' })]);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const recent = await list(`from=${from}&action=scale.bulk`);
    expect(recent.meta).toEqual(expect.objectContaining({ total: 0, hasMore: false }));
  });

  it('reads a time range from its own last entry, with an exact count and keyset pages', async () => {
    const [{ from, to }] = (await t.dataSource.query(
      `SELECT min("timestamp") AS from, max("timestamp") AS to FROM (
         SELECT "timestamp" FROM audit_logs WHERE action = 'scale.bulk' ORDER BY "timestamp" OFFSET 99 LIMIT 100) w`,
    )) as { from: Date; to: Date }[];
    const expected = (
      (await t.dataSource.query(
        `SELECT seq::text AS seq FROM audit_logs WHERE "timestamp" >= $1 AND "timestamp" <= $2 ORDER BY seq DESC`,
        [from.toISOString(), to.toISOString()],
      )) as { seq: string }[]
    ).map((e) => e.seq);
    expect(expected.length).toBeGreaterThan(90);
    const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
    const page = await list(`${range}&limit=40`);
    expect(page.meta).toEqual(expect.objectContaining({ total: expected.length, totalCapped: false, hasMore: true }));
    expect(page.data.map((e: { seq: string }) => e.seq)).toEqual(expected.slice(0, 40));
    const next = await list(`${range}&limit=40&beforeSeq=${page.data[39].seq}`);
    expect(next.data.map((e: { seq: string }) => e.seq)).toEqual(expected.slice(40, 80));
    // Entries of the same action before and after the range are not counted.
    const ofAction = await list(`${range}&action=scale.bulk&outcome=failure&limit=5`);
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_logs
        WHERE action = 'scale.bulk' AND outcome = 'failure' AND "timestamp" >= $1 AND "timestamp" <= $2`,
      [from.toISOString(), to.toISOString()],
    )) as { n: number }[];
    expect(n).toBeGreaterThan(5);
    expect(ofAction.meta).toEqual(expect.objectContaining({ total: n, totalCapped: false, hasMore: true }));
    const upTo = await list(`to=${to.toISOString()}&action=scale.bulk&limit=1`);
    const [{ seq: lastUpTo }] = (await t.dataSource.query(
      `SELECT max(seq)::text AS seq FROM audit_logs WHERE action = 'scale.bulk' AND "timestamp" <= $1`,
      [to.toISOString()],
    )) as { seq: string }[];
    expect(upTo.data[0].seq).toBe(lastUpTo);
    const ahead = await list(`from=${new Date(Date.now() + 86_400_000).toISOString()}`);
    expect(ahead).toMatchObject({ data: [], meta: { total: 0, totalCapped: false, hasMore: false } });
  });

  it('refuses a bad keyset or range with 400', async () => {
    for (const path of [
      '/api/v1/audit-logs?beforeSeq=abc',
      '/api/v1/audit-logs/verify?fromSeq=-1',
      '/api/v1/audit-logs/verify?to=nope',
      '/api/v1/audit-logs?actorId=not-a-uuid',
    ]) {
      const res = await request(t.http)
        .get(path)
        .set(...bearer(admin))
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    // A range by chain position or by time, not both.
    const both = await request(t.http)
      .get('/api/v1/audit-logs/verify?fromSeq=1&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z')
      .set(...bearer(admin))
      .expect(400);
    expect(both.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/from', '/to']);
  });

  it('verifies in passes within its time budget and says where to go on', async () => {
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_logs');
    // A pass over the first thousand entries only, then on from there, with no budget to speak of.
    const verifier = t.app.get(AuditVerifier);
    const partial = await verifier.verify({}, 0);
    expect(partial).toEqual(expect.objectContaining({ valid: true, complete: false, fromSeq: '1' }));
    let checked = partial.checked;
    let next = partial.nextFromSeq;
    while (next) {
      const pass = await verifier.verify({ fromSeq: next }, 0);
      expect(pass.valid).toBe(true);
      expect(pass.anchor).toEqual(expect.objectContaining({ kind: 'entry', seq: String(BigInt(next) - 1n) }));
      checked += pass.checked;
      next = pass.complete ? undefined : pass.nextFromSeq;
    }
    expect(checked).toBe(n);
    const whole = await request(t.http)
      .get('/api/v1/audit-logs/verify')
      .set(...bearer(admin))
      .expect(200);
    expect(whole.body.data.valid).toBe(true);
    expect(whole.body.data.checked).toBeGreaterThan(0);
  });

  it('verifies a time range', async () => {
    const at = async (n: number) =>
      (
        await t.dataSource.query(
          `SELECT seq::text AS seq, "timestamp" FROM audit_logs WHERE action = 'scale.bulk' AND details->>'n' = $1`,
          [String(n)],
        )
      )[0] as { seq: string; timestamp: Date };
    const [from, to] = [await at(5000), await at(6000)];
    const res = await request(t.http)
      .get(`/api/v1/audit-logs/verify?from=${from.timestamp.toISOString()}&to=${to.timestamp.toISOString()}`)
      .set(...bearer(admin))
      .expect(200);
    expect(res.body.data).toEqual(
      expect.objectContaining({ valid: true, checked: 1001, fromSeq: from.seq, toSeq: to.seq, complete: true }),
    );
  });
});
