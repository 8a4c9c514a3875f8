import Redis from 'ioredis';
import request from 'supertest';
import { ScheduleSync } from '../src/schedules/schedule-sync';
import { bearer, type TestUser } from './factories/users';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';
import {
  expectEachFireOnce,
  firesOf,
  type ScheduleTestBed,
  scheduleTestBed,
  type ScheduleView,
} from './factories/schedules';

/**
 * Slower than the schedule's period: fires made on time after a missed one are within one sync period of now. The
 * period leaves a busy machine room to put the job scheduler back before 10 fires are missed (older ones would be
 * passed over, leaving a gap the check below does not expect).
 */
const SYNC_MS = 5000;
const PERIOD = 2000;

describe('schedule fires caught up after a schedule fell more than one period behind', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let create: ScheduleTestBed['create'];

  beforeAll(async () => {
    ({ t, op, calc, create } = await scheduleTestBed({ SCHEDULE_SYNC_INTERVAL_MS: String(SYNC_MS) }));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Every key of this environment in Redis deleted, as a Redis restarted empty (the shared Redis is left alone). */
  async function wipeRedis(): Promise<void> {
    const redis = new Redis(t.env.config.redis.url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.env.config.redis.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }

  /** The time the schedule is handled until, and its latest fire in the history, read at once. */
  async function marks(scheduleId: string): Promise<{ firedUntil: number; lastFire: number }> {
    const [row] = (await t.dataSource.query(
      `SELECT s.fired_until, (SELECT max(fire_at) FROM schedule_fires WHERE schedule_id = s.id) AS last_fire
         FROM schedules s WHERE s.id = $1`,
      [scheduleId],
    )) as { fired_until: Date; last_fire: Date }[];
    return { firedUntil: row.fired_until.getTime(), lastFire: row.last_fire.getTime() };
  }

  /** The fires the history says were made, and the metric's count of them. */
  async function madeCounts(scheduleId: string): Promise<{ rows: number; metric: number }> {
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM schedule_fires WHERE schedule_id = $1 AND outcome = 'made'`,
      [scheduleId],
    )) as { n: number }[];
    const metrics = (await request(t.http).get('/metrics').expect(200)).text;
    const made = /schedule_fires_total\{outcome="made"\} (\d+)/.exec(metrics);
    return { rows: n, metric: Number(made?.[1] ?? 0) };
  }

  it('moves its handled-until mark past the fires made on time, and makes and counts none of them again', async () => {
    const schedule = (
      await create({
        name: 'faster than the sync',
        target: { agentId: calc, input: { expression: '3' } },
        everyMs: PERIOD,
      }).expect(201)
    ).body.data as ScheduleView;
    await waitFor(async () => (await firesOf(t, schedule.id)).length >= 3, 15_000);

    // Redis restarted empty: the fires until the sync puts the job scheduler back are missed, and made late
    // by the sync, while the scheduler makes the next ones on time.
    await wipeRedis();
    const wipedAt = Date.now();
    await waitFor(
      async () => (await firesOf(t, schedule.id)).some((f) => Date.parse(f.fireAt) > wipedAt + 3 * SYNC_MS),
      30_000,
    );

    // The mark catches up with the fires made, and a sync pass then finds none missed: it makes none again.
    const sync = t.app.get(ScheduleSync);
    await waitFor(
      async () => {
        const { firedUntil, lastFire } = await marks(schedule.id);
        return firedUntil >= lastFire && (await sync.run()).late === 0;
      },
      30_000,
      500,
    );

    await request(t.http)
      .patch(`/api/v1/schedules/${schedule.id}`)
      .set(...bearer(op))
      .send({ paused: true })
      .expect(200);
    // Each fire made once, none missing, and counted once: the metric says as many as the history, once what
    // was under way when the schedule was paused is done.
    const { fires, counts } = await waitFor(async () => {
      const made = await firesOf(t, schedule.id);
      const seen = await madeCounts(schedule.id);
      return seen.rows === made.length && seen.metric >= seen.rows && { fires: made, counts: seen };
    });
    expectEachFireOnce(fires, PERIOD);
    expect(Date.parse(fires[0].fireAt)).toBeLessThan(wipedAt);
    expect(counts.metric).toBe(counts.rows);
  }, 120_000);
});
