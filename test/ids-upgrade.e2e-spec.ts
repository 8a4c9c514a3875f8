import { IdsInLowerCase1764191000000 } from '../migrations/1764191000000-ids-in-lower-case';
import { createAgent } from './factories/tasks';
import { createUser } from './factories/users';
import { createWorkflow, startRun } from './factories/workflows';
import { upgradeFrom } from './utils/migrations';
import { createTestApp, TestEnv } from './utils/test-app';

describe('ids saved in upper case inside JSON, on upgrade', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    await env.prepare();
  });
  afterAll(async () => {
    await env.destroy();
  });

  it('are lower-cased in workflows’ steps and triggers and in runs’ definitions, the rest as it was', async () => {
    const first = await createTestApp({ shared: env });
    let ids: { workflow: string; run: string; agent: string; other: string };
    let stored: unknown[] | undefined;
    try {
      const op = await createUser(first, 'operator');
      const agent = (await createAgent(first, op, { type: 'calculator' })).id;
      const other = (await createAgent(first, op, { type: 'calculator' })).id;
      const steps = [
        { id: 'a', agentId: agent, input: { expression: '1' } },
        { id: 'b', agentId: other, input: { expression: '2' }, dependsOn: ['a'] },
      ];
      const workflow = await createWorkflow(first, op, { steps, triggers: [{ on: 'task.succeeded', agentId: other }] });
      const run = (await startRun(first, op, workflow, {})).id;
      ids = { workflow, run, agent, other };
      // As saved before ids were lower-cased where they enter.
      const upper = (column: string) => `replace(replace(${column}::text, $2, upper($2)), $3, upper($3))::jsonb`;
      await first.dataSource.query(
        `UPDATE workflows SET steps = ${upper('steps')}, triggers = ${upper('triggers')} WHERE id = $1`,
        [workflow, agent, other],
      );
      await first.dataSource.query(`UPDATE workflow_runs SET definition = ${upper('definition')} WHERE id = $1`, [
        run,
        agent,
        other,
      ]);
      const [saved] = await first.dataSource.query(`SELECT steps FROM workflows WHERE id = $1`, [workflow]);
      expect(saved.steps[0].agentId).toBe(agent.toUpperCase());
      stored = steps;
    } finally {
      await first.close();
    }
    await upgradeFrom(env, IdsInLowerCase1764191000000);
    const again = await createTestApp({ shared: env });
    try {
      const [wf] = await again.dataSource.query(`SELECT steps, triggers FROM workflows WHERE id = $1`, [ids.workflow]);
      expect(wf.steps).toEqual(stored);
      expect(wf.triggers).toEqual([{ on: 'task.succeeded', agentId: ids.other }]);
      const [run] = await again.dataSource.query(`SELECT definition FROM workflow_runs WHERE id = $1`, [ids.run]);
      expect(run.definition.map((s: { agentId: string }) => s.agentId)).toEqual([ids.agent, ids.other]);
    } finally {
      await again.close();
    }
  });
});
