import request from 'supertest';
import { AgentStateStore } from '../src/agents/agent-state.store';
import { CalculatorStateWithoutResults1764184000000 } from '../migrations/1764184000000-calculator-state-without-results';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, login, type TestUser } from './factories/users';
import { upgradeFrom } from './utils/migrations';
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
      expect(saved.body.data).toEqual({ state: { evaluated: 2 }, savedAt: expect.any(String) });
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
      expect(saved.body.data.state).toEqual({ evaluated: 3 });
    } finally {
      await third.close();
    }
  }, 90_000);

  it("do not show another user's task result to a viewer of the agent", async () => {
    const t = await createTestApp({ shared: env });
    try {
      const op = await createUser(t, 'operator');
      const viewer = await createUser(t, 'viewer');
      const agentId = (await createAgent(t, op, { type: 'calculator', config: { precision: 0 } })).id;
      const task = await submitTask(t, op, { agentId, input: { expression: '123457 * 7' } });
      expect((await settled(t, op, task.id)).status).toBe('succeeded');
      await request(t.http)
        .get(`/api/v1/tasks/${task.id}`)
        .set(...bearer(viewer))
        .expect(404);
      await t.app.get(AgentStateStore).flush();
      const saved = await request(t.http)
        .get(`/api/v1/agents/${agentId}/checkpoint`)
        .set(...bearer(viewer))
        .expect(200);
      expect(saved.body.data.state).toEqual({ evaluated: 1 });
      expect(JSON.stringify(saved.body)).not.toContain('864199');
    } finally {
      await t.close();
    }
  }, 60_000);

  it('lose the results that calculator states saved before, on upgrade', async () => {
    const t = await createTestApp({ shared: env });
    let agentId: string;
    try {
      const op = await createUser(t, 'operator');
      agentId = (await createAgent(t, op, { type: 'calculator' })).id;
      await t.dataSource.query(
        `INSERT INTO agent_states (agent_id, state, saved_at) VALUES ($1, '{"evaluated": 4, "lastResult": 42}', now())
         ON CONFLICT (agent_id) DO UPDATE SET state = EXCLUDED.state`,
        [agentId],
      );
    } finally {
      await t.close();
    }
    // Upgraded from before the migration that removes them.
    await upgradeFrom(env, CalculatorStateWithoutResults1764184000000);
    const again = await createTestApp({ shared: env });
    try {
      const rows = await again.dataSource.query(`SELECT state FROM agent_states WHERE agent_id = $1`, [agentId!]);
      expect(rows).toEqual([{ state: { evaluated: 4 } }]);
    } finally {
      await again.close();
    }
  }, 60_000);
});
