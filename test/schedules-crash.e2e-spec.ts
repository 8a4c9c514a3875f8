import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { workerTestBed } from './utils/built-app';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('a worker killed while a schedule fires', () => {
  const bed = workerTestBed({ SCHEDULE_SYNC_INTERVAL_MS: '1000', QUEUE_LOCK_DURATION_MS: '2000' });
  const { workers } = bed;
  let api: TestApp;

  beforeAll(async () => ({ api } = await bed.start()), 120_000);
  afterAll(() => bed.stop());

  const firesOf = async (scheduleId: string) =>
    (
      (await api.dataSource.query(
        `SELECT metadata->>'fireAt' AS "fireAt" FROM tasks WHERE metadata->>'scheduleId' = $1 ORDER BY 1`,
        [scheduleId],
      )) as { fireAt: string }[]
    ).map((f) => Date.parse(f.fireAt));

  it('misses no fire and makes none twice: the other worker and the sync make what it held', async () => {
    const op = await createUser(api, 'operator');
    const agent = await createAgent(api, op, { type: 'calculator' });
    const first = await workers.start();
    await workers.start();
    const schedule = (
      await request(api.http)
        .post('/api/v1/schedules')
        .set(...bearer(op))
        .send({ name: 'every second', target: { agentId: agent.id, input: { expression: '1' } }, everyMs: 1000 })
        .expect(201)
    ).body.data as { id: string };
    await waitFor(async () => (await firesOf(schedule.id)).length >= 3, 30_000);
    expect(await first.stop('SIGKILL')).toBeNull();
    const killedAt = Date.now();
    const fires = await waitFor(async () => {
      const made = await firesOf(schedule.id);
      return made.some((at) => at > killedAt + 4000) && made;
    }, 30_000);
    expect(new Set(fires).size).toBe(fires.length);
    for (let i = 1; i < fires.length; i++) expect(fires[i] - fires[i - 1]).toBe(1000);
  }, 90_000);
});
