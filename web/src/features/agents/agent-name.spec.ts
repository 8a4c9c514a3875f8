import { AGENT_NAME_RULE, agentNameProblem, agentNameProblems } from './agent-name';

describe('agent name', () => {
  it('accepts a name that keeps the rule', () => {
    expect(agentNameProblems('calculator-2 v1.0_b')).toEqual([]);
    expect(agentNameProblem(' spaced out ')).toBeNull();
  });

  it('asks for a missing name as the schema forms ask for a missing value, and says nothing else', () => {
    expect(agentNameProblems('   ')).toEqual(['Enter a value']);
  });

  it('reports a name both too long and with non-ASCII characters with both problems at once', () => {
    const problems = agentNameProblems(`${'é'.repeat(3)}${'a'.repeat(200)}/`);
    expect(problems).toEqual([
      'must be at most 200 characters (it has 204)',
      'must start with an ASCII letter or digit',
      'may use only ASCII letters, digits, space . _ - (not “é” “/”)',
    ]);
    expect(agentNameProblem(`a${'ü'.repeat(200)}`)).toBe(
      'must be at most 200 characters (it has 201); may use only ASCII letters, digits, space . _ - (not “ü”)',
    );
  });

  it('names the start when only the start is wrong', () => {
    expect(agentNameProblems('-not a name')).toEqual(['must start with an ASCII letter or digit']);
  });

  it('states the rule as the field says it before a submit', () => {
    expect(AGENT_NAME_RULE).toMatch(/ASCII letters, digits, space \. _ -/);
    expect(AGENT_NAME_RULE).toMatch(/200 characters/);
  });
});
