import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..');
const OWNER = relative(SRC, __dirname);
/** A statement that names one of the agents' tables (`agent_states` belongs to the state store). */
const STATEMENT = /\b(from|into|update|join)\s+"?(agents|agent_config_versions)\b/i;
/** TypeORM calls that take an agent entity (`getRepository(AgentEntity)`, `em.find(AgentConfigVersionEntity, …)`). */
const ENTITY_CALL = /\(\s*Agent(ConfigVersion)?Entity\b/;
/**
 * Reads elsewhere that join the agents for a column of theirs, by file and statement: the task stats group
 * finished tasks by the agent's type in one statement over the tasks.
 */
const JOINS_ALLOWED: Record<string, RegExp> = {
  'tasks/persistence/task-stats.ts': /^JOIN agents a ON a\.id = f\.agent_id$/,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the agents’ tables', () => {
  it(`are read and written only in ${OWNER}/`, () => {
    const offenders = sources(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !path.startsWith(`${OWNER}/`))
      .flatMap((path) =>
        readFileSync(join(SRC, path), 'utf8')
          .split('\n')
          .map((line, i) => ({ path, line: i + 1, text: line.trim() }))
          .filter(({ text }) => STATEMENT.test(text) || ENTITY_CALL.test(text))
          .filter(({ text }) => !JOINS_ALLOWED[path]?.test(text)),
      )
      .map(({ path, line, text }) => `${path}:${line}: ${text}`);
    expect(offenders).toEqual([]);
  });

  it('are recognised by the check above', () => {
    expect(STATEMENT.test('SELECT id FROM agents a WHERE')).toBe(true);
    expect(STATEMENT.test('INSERT INTO agent_config_versions (agent_id)')).toBe(true);
    expect(STATEMENT.test('UPDATE agent_states SET')).toBe(false);
    expect(ENTITY_CALL.test('em.findOneBy(AgentConfigVersionEntity, { agentId })')).toBe(true);
    expect(ENTITY_CALL.test('getRepository(AgentStateEntity)')).toBe(false);
    expect(STATEMENT.test('the agents from the registry')).toBe(false);
  });
});
