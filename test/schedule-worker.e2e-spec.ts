import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * Fires made by the job schedulers alone: the sync, which makes missed fires late, runs only as the process
 * starts here (its next pass is ten minutes away), so every fire after the first is the scheduler's.
 */
describe('schedule fires from their job schedulers', () => {
  let t: TestApp;
  let op: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { SCHEDULE_SYNC_INTERVAL_MS: '600000' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('makes each fire on its own job, before the next one is due', async () => {
    const agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    const period = 3000;
    const schedule = (
      await request(t.http)
        .post('/api/v1/schedules')
        .set(...bearer(op))
        .send({ name: 'every 3 s', target: { agentId, input: { expression: '1' } }, everyMs: period })
        .expect(201)
    ).body.data as { id: string };
    const made = () =>
      t.dataSource.query(
        `SELECT f.fire_at, f.outcome, t.created_at FROM schedule_fires f JOIN tasks t ON t.id = f.target_id
          WHERE f.schedule_id = $1 ORDER BY f.fire_at`,
        [schedule.id],
      ) as Promise<{ fire_at: Date; outcome: string; created_at: Date }[]>;
    const fires = await waitFor(async () => {
      const rows = await made();
      return rows.length >= 4 && rows;
    }, 30_000);
    // One fire a period, none skipped.
    const times = fires.map((f) => f.fire_at.getTime());
    expect(times.slice(1).map((at, i) => at - times[i])).toEqual(Array<number>(times.length - 1).fill(period));
    // Each made by its own job, not by the job of the fire after it (which came a whole period late).
    for (const fire of fires) expect(fire.created_at.getTime() - fire.fire_at.getTime()).toBeLessThan(period);
  }, 60_000);
});
