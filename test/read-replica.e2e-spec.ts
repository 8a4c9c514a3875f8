import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReadDatabase, readDataSourceOptions } from '../src/database/read-database';
import { readContext } from '../src/database/read-target';
import { createAgent, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { OwnReplica } from './utils/own-replica';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const DB = 'ymera_replica';
// Wide enough that a loaded machine finishes the first test's reads before the lag passes it.
const MAX_LAG_MS = 15_000;
const WINDOW_MS = 3000;
const METRICS_TOKEN = 'replica-metrics-token';

describe('read replica (DATABASE_READ_URL) on a real streaming replica', () => {
  const pair = new OwnReplica();
  let env: TestEnv;
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;
  let agentId: string;
  let taskId: string;

  const get = (user: TestUser, path: string, strong = false) => {
    const req = request(t.http)
      .get(`/api/v1${path}`)
      .set(...bearer(user));
    return strong ? req.set('Consistency', 'strong') : req;
  };
  const listed = async (user: TestUser, strong = false): Promise<string[]> => {
    const res = await get(user, '/tasks?limit=100', strong).expect(200);
    return (res.body.data as { id: string }[]).map((task) => task.id);
  };
  /** Tasks created in the last day, as the stats endpoint counts them. */
  const statsTotal = async (strong = false): Promise<number> => {
    const res = await get(admin, '/stats', strong).expect(200);
    const buckets = res.body.data.perHour as Record<string, unknown>[];
    return buckets.reduce(
      (sum, bucket) => sum + Object.values(bucket).reduce<number>((n, v) => n + (typeof v === 'number' ? v : 0), 0),
      0,
    );
  };
  const auditTotal = async (strong = false): Promise<number> => {
    const res = await get(admin, `/audit-logs?resourceId=${taskId}`, strong).expect(200);
    return res.body.meta.total as number;
  };
  const replicaHealth = async (): Promise<Record<string, unknown>> =>
    (await request(t.http).get('/health').expect(200)).body.details.readReplica;

  beforeAll(async () => {
    await pair.start();
    env = new TestEnv({
      DATABASE_URL: `${pair.primary.url}/${DB}`,
      DATABASE_READ_URL: `${pair.replica.url}/${DB}`,
      DATABASE_READ_MAX_LAG_MS: String(MAX_LAG_MS),
      DATABASE_READ_YOUR_WRITES_MS: String(WINDOW_MS),
      DATABASE_READ_CHECK_MS: '200',
      METRICS_TOKEN,
    });
    await env.prepare();
    await pair.waitUntilCaughtUp();
    t = await createTestApp({ shared: env });
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    await waitFor(async () => (await replicaHealth()).serving === 'replica', 15_000);
  }, 120_000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await env?.destroy().catch(() => undefined);
    pair.remove();
  });

  it('serves lists, stats and audit from the replica; the task, strong reads and the writer read the primary', async () => {
    // Let the setup's own writes leave the read-your-writes window, then freeze the replica's view.
    await sleep(WINDOW_MS + 100);
    const statsBefore = await statsTotal();
    await pair.commitOnPrimary();
    await pair.waitUntilCaughtUp();
    await pair.pauseReplay();

    taskId = (await submitTask(t, op, { agentId, input: { expression: '2 + 3' } })).id;

    // The writer sees its own task: in its list during the window, and by id always.
    expect(await listed(op)).toContain(taskId);
    await get(op, `/tasks/${taskId}`).expect(200);
    // Anyone else reads the replica, which has not replayed the write yet…
    expect(await listed(admin)).not.toContain(taskId);
    expect(await statsTotal()).toBe(statsBefore);
    expect(await auditTotal()).toBe(0);
    // …unless they ask for a strong read.
    expect(await listed(admin, true)).toContain(taskId);
    expect(await statsTotal(true)).toBe(statsBefore + 1);
    expect(await auditTotal(true)).toBeGreaterThanOrEqual(1);
    // Once the window has passed, the writer reads the replica too.
    await sleep(WINDOW_MS + 100);
    expect(await listed(op)).not.toContain(taskId);
    expect(await replicaHealth()).toMatchObject({ status: 'up', state: 'ok', serving: 'replica' });
  }, 60_000);

  it('falls back to the primary while the replica lags more than the limit, and returns once it catches up', async () => {
    const lagging = await waitFor(async () => {
      const health = await replicaHealth();
      return health.condition === 'lagging' ? health : undefined;
    }, MAX_LAG_MS + 15_000);
    expect(lagging).toMatchObject({ status: 'up', state: 'degraded', serving: 'primary', maxLagMs: MAX_LAG_MS });
    expect(lagging.lagMs as number).toBeGreaterThan(MAX_LAG_MS);
    const metrics = (await request(t.http).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).text;
    const lag = Number(/^database_read_replica_lag_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(lag).toBeGreaterThan(MAX_LAG_MS / 1000);
    // Not replayed on the replica, yet listed: the read went to the primary.
    expect(await listed(admin)).toContain(taskId);
    expect(await auditTotal()).toBeGreaterThanOrEqual(1);

    await pair.resumeReplay();
    await waitFor(async () => (await replicaHealth()).serving === 'replica', 15_000);
    expect(await listed(admin)).toContain(taskId);
  }, 60_000);

  it('keeps answering from the primary while the replica is stopped, and says degraded', async () => {
    pair.stopReplica();
    const down = await waitFor(async () => {
      const health = await replicaHealth();
      return health.condition === 'down' ? health : undefined;
    }, 15_000);
    expect(down).toMatchObject({ status: 'up', state: 'degraded', serving: 'primary', lagMs: null });
    await request(t.http).get('/health/ready').expect(200);
    expect(await listed(admin)).toContain(taskId);
    expect(await statsTotal()).toBeGreaterThanOrEqual(1);
    expect(await auditTotal()).toBeGreaterThanOrEqual(1);

    pair.startReplica();
    await waitFor(async () => (await replicaHealth()).serving === 'replica', 30_000);
    expect(await listed(admin)).toContain(taskId);
  }, 90_000);

  it('never writes through the read connection: its sessions are read-only, even on a writable server', async () => {
    const reads = t.app.get(ReadDatabase);
    const replica = await waitFor(async () => {
      const reader = readContext.run({ primary: false }, () => reads.reader());
      return reader !== t.dataSource ? reader : undefined;
    }, 15_000);
    expect(readContext.run({ primary: true }, () => reads.reader())).toBe(t.dataSource);
    expect(reads.reader()).toBe(t.dataSource);
    const [setting] = await replica.query<{ default_transaction_read_only: string }[]>(
      'SHOW default_transaction_read_only',
    );
    expect(setting.default_transaction_read_only).toBe('on');

    // The same options pointed at the primary: a write is refused by the session, not by the standby.
    const onPrimary = new DataSource(readDataSourceOptions(env.config, `${pair.primary.url}/${DB}`));
    await onPrimary.initialize();
    try {
      await expect(onPrimary.query('CREATE TABLE written_through_read (id int)')).rejects.toMatchObject({
        driverError: expect.objectContaining({ code: '25006' }),
      });
      await expect(onPrimary.query(`UPDATE tasks SET priority = priority WHERE id = $1`, [taskId])).rejects.toThrow(
        /read-only transaction/,
      );
    } finally {
      await onPrimary.destroy();
    }
    // And the same statement through the primary's own connection does work.
    await t.dataSource.query(`UPDATE tasks SET priority = priority WHERE id = $1`, [taskId]);
  }, 30_000);
});
