import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, TestEnv } from './utils/test-app';

describe('agent state documents', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    await env.prepare();
  });
  afterAll(async () => {
    await env.destroy();
  });

  it('are saved on graceful shutdown, restored by the next worker and readable at /checkpoint', async () => {
    const first = await createTestApp({ shared: env });
    let op: TestUser;
    let agentId: string;
    try {
      op = await createUser(first, 'operator');
      agentId = (await createAgent(first, op, { type: 'calculator', config: { precision: 1 } })).id;
      for (const expression of ['1 + 1', '2 * 3']) {
        expect(
          (await settled(first, op, (await submitTask(first, op, { agentId, input: { expression } })).id)).status,
        ).toBe('succeeded');
      }
    } finally {
      await first.close();
    }
    const second = await createTestApp({ shared: env });
    try {
      const again = await login(second.http, op!.email, op!.password);
      const saved = await request(second.http)
        .get(`/api/v1/agents/${agentId!}/checkpoint`)
        .set(...bearer(again))
        .expect(200);
      expect(saved.body.data).toEqual({ state: { evaluated: 2, lastResult: 6 }, savedAt: expect.any(String) });
      await settled(
        second,
        again,
        (await submitTask(second, again, { agentId: agentId!, input: { expression: '10 / 4' } })).id,
      );
    } finally {
      await second.close();
    }

    const third = await createTestApp({ shared: env });
    try {
      const again = await login(third.http, op!.email, op!.password);
      const saved = await request(third.http)
        .get(`/api/v1/agents/${agentId!}/checkpoint`)
        .set(...bearer(again))
        .expect(200);
      expect(saved.body.data.state).toEqual({ evaluated: 3, lastResult: 2.5 });
    } finally {
      await third.close();
    }
  }, 90_000);
});
