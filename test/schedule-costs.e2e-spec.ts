import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import { type ScheduleTestBed, scheduleTestBed } from './factories/schedules';
import { createAgent } from './factories/tasks';
import type { TestApp } from './utils/test-app';

/** SCHEDULES_PER_USER in this app: small, so that the tests reach it. */
const LIMIT = 3;
const RARE = 'fires less than once every 10 years (up to 40 years apart): give a pattern that fires more often';

describe('what a user’s schedules may cost: patterns that fire too seldom, and SCHEDULES_PER_USER', () => {
  let t: TestApp;
  let create: ScheduleTestBed['create'];

  beforeAll(async () => {
    ({ t, create } = await scheduleTestBed({ SCHEDULES_PER_USER: String(LIMIT) }));
  });
  afterAll(() => t?.close());

  /** A user of their own with a calculator agent, so that each test counts its own schedules. */
  const userWithAgent = async (): Promise<{ user: TestUser; body: (cron: string) => Record<string, unknown> }> => {
    const user = await createUser(t, 'operator');
    const agentId = (await createAgent(t, user, { type: 'calculator' })).id;
    const target = { agentId, input: { expression: '1' } };
    return { user, body: (cron) => ({ name: `at ${cron}`, target, cron, timezone: 'UTC' }) };
  };
  const count = async (user: TestUser) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM schedules WHERE created_by = $1`, [user.id]))[0]
      .n as number;

  it('refuses a pattern that fires less than once every 10 years with 400 naming /cron, on creation and on change', async () => {
    const { user, body } = await userWithAgent();
    for (const timezone of ['Asia/Kathmandu', 'UTC']) {
      const refused = await create({ ...body('0 0 ? 2 1#5'), timezone }, user).expect(400);
      expect(refused.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: '/cron', message: RARE }],
      });
    }
    expect(await count(user)).toBe(0);

    // 29 February fires every 4 years (8 across 2100): it is kept, with its next 5 fires.
    const leap = await create({ ...body('0 0 29 2 *'), timezone: 'Asia/Kathmandu' }, user).expect(201);
    const fires: string[] = leap.body.data.nextFires;
    expect(fires).toHaveLength(5);
    for (const fire of fires)
      expect(new Date(Date.parse(fire) + 5.75 * 3_600_000).toISOString()).toMatch(/-02-29T00:00/);
    const changed = await request(t.http)
      .patch(`/api/v1/schedules/${leap.body.data.id}`)
      .set(...bearer(user))
      .send({ cron: '0 0 ? 2 0#5' })
      .expect(400);
    expect(changed.body.error.details).toEqual([{ field: '/cron', message: expect.stringContaining('10 years') }]);
  });

  it('keeps a stored pattern that fires more seldom: shown without fires more than 10 years off, and still changeable', async () => {
    const { user, body } = await userWithAgent();
    const created = await create(body('0 0 1 1 *'), user).expect(201);
    expect(created.body.data.nextFires).toHaveLength(5);
    const id: string = created.body.data.id;
    // As a pattern stored before the rule: its next fire is in 2044 (then 2072, 2112).
    await t.dataSource.query(`UPDATE schedules SET cron = '0 0 ? 2 1#5' WHERE id = $1`, [id]);
    const shown = await request(t.http)
      .get(`/api/v1/schedules/${id}`)
      .set(...bearer(user))
      .expect(200);
    // Its 2044 fire is more than 10 years off (until 2034): none is shown, nor looked for further.
    const ahead: string[] = shown.body.data.nextFires;
    expect(ahead).toEqual([]);
    const listed = await request(t.http)
      .get('/api/v1/schedules?limit=100')
      .set(...bearer(user))
      .expect(200);
    expect(listed.body.data.find((s: { id: string }) => s.id === id).nextFires).toEqual(ahead);
    // A rename or a pause is no new pattern.
    const paused = await request(t.http)
      .patch(`/api/v1/schedules/${id}`)
      .set(...bearer(user))
      .send({ name: 'kept from before', paused: true })
      .expect(200);
    expect(paused.body.data).toMatchObject({ cron: '0 0 ? 2 1#5', paused: true, nextFires: [] });
  });

  it(`refuses the schedule past SCHEDULES_PER_USER (${LIMIT} here) with 409, per user; a deletion makes room`, async () => {
    const { user, body } = await userWithAgent();
    const ids: string[] = [];
    for (let i = 0; i < LIMIT; i++) ids.push((await create(body(`${i} 9 * * *`), user).expect(201)).body.data.id);
    const refused = await create(body('0 10 * * *'), user).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'CONFLICT',
      message: `You have ${LIMIT} schedules, the most a user may is ${LIMIT} (SCHEDULES_PER_USER): delete one first`,
    });
    expect(await count(user)).toBe(LIMIT);

    const other = await userWithAgent();
    await create(other.body('0 10 * * *'), other.user).expect(201);
    await request(t.http)
      .delete(`/api/v1/schedules/${ids[0]}`)
      .set(...bearer(user))
      .expect(204);
    await create(body('0 10 * * *'), user).expect(201);
    await create(body('0 11 * * *'), user).expect(409);
  });

  it('lets creations at the same moment pass the limit by none of them', async () => {
    const { user, body } = await userWithAgent();
    await create(body('0 8 * * *'), user).expect(201);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => create(body(`${i} 12 * * *`), user)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    expect(await count(user)).toBe(LIMIT);
  });
});
