import request from 'supertest';
import { ScheduleTagsOnce1764187000000 } from '../migrations/1764187000000-schedule-tags-once';
import { createAgent } from './factories/tasks';
import { bearer, createUser, login, type TestUser } from './factories/users';
import { upgradeFrom } from './utils/migrations';
import { createTestApp, TestEnv } from './utils/test-app';

describe('schedules stored with a tag given twice, on upgrade', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    await env.prepare();
  });
  afterAll(async () => {
    await env.destroy();
  });

  it('keep each tag once, in its first place, and take their tags back as read', async () => {
    const first = await createTestApp({ shared: env });
    let user: TestUser;
    let scheduleId: string;
    try {
      const op = await createUser(first, 'operator');
      user = op;
      const agent = await createAgent(first, op, { type: 'calculator' });
      const created = await request(first.http)
        .post('/api/v1/schedules')
        .set(...bearer(op))
        .send({ name: 'nightly', target: { agentId: agent.id, input: { expression: '1 + 1' } }, everyMs: 3_600_000 })
        .expect(201);
      scheduleId = created.body.data.id;
      // As stored before tags were checked.
      await first.dataSource.query(`UPDATE schedules SET tags = '{b,a,b,c,a}' WHERE id = $1`, [scheduleId]);
    } finally {
      await first.close();
    }
    await upgradeFrom(env, ScheduleTagsOnce1764187000000);
    const again = await createTestApp({ shared: env });
    try {
      const op = await login(again.http, user!.email, user!.password);
      const read = await request(again.http)
        .get(`/api/v1/schedules/${scheduleId!}`)
        .set(...bearer(op))
        .expect(200);
      expect(read.body.data.tags).toEqual(['b', 'a', 'c']);
      await request(again.http)
        .patch(`/api/v1/schedules/${scheduleId!}`)
        .set(...bearer(op))
        .send({ tags: read.body.data.tags })
        .expect(200);
    } finally {
      await again.close();
    }
  }, 60_000);
});
