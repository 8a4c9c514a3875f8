import { entityCallOn, statementOn, tableAccessOutside } from '../../../test/utils/table-owners';

/** `agent_states` belongs to the state store. */
const TABLES = ['agents', 'agent_config_versions'];
const ENTITIES = ['AgentEntity', 'AgentConfigVersionEntity'];
/**
 * Reads elsewhere that join the agents for a column of theirs, by file and statement: the task stats group
 * finished tasks by the agent's type in one statement over the tasks.
 */
const JOINS_ALLOWED: Record<string, RegExp> = {
  'tasks/persistence/task-stats.ts': /^JOIN agents a ON a\.id = f\.agent_id$/,
};

describe('the agents’ tables', () => {
  it('are read and written only in agents/persistence/', () => {
    expect(tableAccessOutside('agents/persistence', TABLES, ENTITIES, JOINS_ALLOWED)).toEqual([]);
  });

  it('are recognised by the check above', () => {
    expect(statementOn(TABLES).test('SELECT id FROM agents a WHERE')).toBe(true);
    expect(statementOn(TABLES).test('INSERT INTO agent_config_versions (agent_id)')).toBe(true);
    expect(statementOn(TABLES).test('UPDATE agent_states SET')).toBe(false);
    expect(entityCallOn(ENTITIES).test('em.findOneBy(AgentConfigVersionEntity, { agentId })')).toBe(true);
    expect(entityCallOn(ENTITIES).test('getRepository(AgentStateEntity)')).toBe(false);
    expect(statementOn(TABLES).test('the agents from the registry')).toBe(false);
  });
});
