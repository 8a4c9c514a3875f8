import type Redis from 'ioredis';
import request from 'supertest';
import { breakerKey } from '../src/agents/outbound/circuit-breakers';
import { REDIS } from '../src/redis/redis.module';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

type Bucket = Record<string, number | string>;
const total = (buckets: Bucket[]) =>
  buckets.reduce((n, b) => n + Object.values(b).reduce<number>((m, v) => m + (typeof v === 'number' ? v : 0), 0), 0);

describe('GET /api/v1/stats', () => {
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;
  let agentId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
    const other = await createUser(t, 'operator');
    agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    const tasks = [
      await submitTask(t, op, { agentId, input: { expression: '1 + 1' } }),
      await submitTask(t, op, { agentId, input: { expression: '2 * 3' } }),
      await submitTask(t, op, { agentId, input: { expression: '1 / 0' }, maxAttempts: 1 }),
    ];
    tasks.push(await submitTask(t, other, { agentId, input: { expression: '4' } }));
    for (const task of tasks) await settled(t, admin, task.id);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("shows a non-admin their own tasks only, without the queue's depth", async () => {
    const res = await request(t.http)
      .get('/api/v1/stats')
      .set(...bearer(op))
      .expect(200);
    const stats = res.body.data;
    expect(stats.scope).toBe('own');
    expect(stats.perMinute).toHaveLength(60);
    expect(stats.perHour).toHaveLength(24);
    expect(stats.perMinute[0]).toEqual({
      start: expect.any(String),
      queued: 0,
      running: 0,
      retrying: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      expired: 0,
    });
    expect(Date.parse(stats.perMinute[59].start) - Date.parse(stats.perMinute[0].start)).toBe(59 * 60_000);
    expect(Date.parse(stats.perHour[23].start) - Date.parse(stats.perHour[0].start)).toBe(23 * 3_600_000);
    expect(total(stats.perMinute)).toBe(3);
    expect(total(stats.perHour)).toBe(3);
    expect(stats.lastHour).toEqual({
      succeeded: 2,
      failed: 1,
      cancelled: 0,
      expired: 0,
      failureRate: 1 / 3,
      byAgentType: [{ agentType: 'calculator', finished: 3, p95Ms: expect.any(Number) }],
    });
    expect(stats.lastDay.failureRate).toBe(1 / 3);
    expect(stats.running).toBe(0);
    expect(stats.queue).toBeNull();
    expect(stats.openCircuitBreakers).toEqual([]);
  });

  it('shows an admin every task, the queue and the circuit breakers that are not closed', async () => {
    // As a worker writes it when a breaker opens.
    await t.app.get<Redis>(REDIS).hset(breakerKey(agentId), 'state', 'open', 'changedAt', '2026-12-01T10:00:00.000Z');
    const res = await request(t.http)
      .get('/api/v1/stats')
      .set(...bearer(admin))
      .expect(200);
    const stats = res.body.data;
    expect(stats.scope).toBe('all');
    expect(total(stats.perMinute)).toBe(4);
    expect(stats.lastDay).toMatchObject({ succeeded: 3, failed: 1, failureRate: 0.25 });
    expect(stats.queue).toEqual({ waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: expect.any(Number) });
    expect(stats.openCircuitBreakers).toEqual([{ agentId, state: 'open', since: '2026-12-01T10:00:00.000Z' }]);
  });

  it('keeps each scope its own when many ask at once (a snapshot being computed is shared by its scope only)', async () => {
    const viewer = await createUser(t, 'viewer');
    const users = [admin, op, viewer, admin, op, viewer, admin, op, viewer, admin, op, viewer];
    const answers = await Promise.all(
      users.map((user) =>
        request(t.http)
          .get('/api/v1/stats')
          .set(...bearer(user))
          .expect(200),
      ),
    );
    const seen = answers.map((res, i) => [users[i] === admin, res.body.data.scope, total(res.body.data.perHour)]);
    expect(seen).toEqual(
      users.map((user) => [user === admin, ...(user === admin ? ['all', 4] : user === op ? ['own', 3] : ['own', 0])]),
    );
  });

  it('answers zeros to a user with no tasks, and 401 to no one', async () => {
    const viewer = await createUser(t, 'viewer');
    const res = await request(t.http)
      .get('/api/v1/stats')
      .set(...bearer(viewer))
      .expect(200);
    expect(total(res.body.data.perHour)).toBe(0);
    expect(res.body.data.lastDay).toEqual({
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      expired: 0,
      failureRate: null,
      byAgentType: [],
    });
    await request(t.http).get('/api/v1/stats').expect(401);
  });
});
