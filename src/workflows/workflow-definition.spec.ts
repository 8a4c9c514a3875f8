import { definitionProblems, findCycle, type WorkflowStep } from './workflow-definition';

const step = (id: string, dependsOn: string[] = [], agentId = 'agent'): WorkflowStep => ({
  id,
  agentId,
  input: {},
  dependsOn,
});

describe('workflow definitions', () => {
  it('accepts a diamond', () => {
    const steps = [step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'])];
    expect(definitionProblems(steps, new Set(['agent']))).toEqual([]);
    expect(findCycle(steps)).toBeUndefined();
  });

  it('names the cycle', () => {
    const steps = [step('a', ['c']), step('b', ['a']), step('c', ['b']), step('d')];
    const cycle = findCycle(steps)!;
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    expect(new Set(cycle)).toEqual(new Set(['a', 'b', 'c']));
    const problems = definitionProblems(steps, new Set(['agent']));
    expect(problems).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^dependency cycle: (\w → ){3}\w$/) }),
    ]);
  });

  it('reports duplicate ids, unknown dependencies and unknown agents', () => {
    const problems = definitionProblems([step('a'), step('a'), step('b', ['zzz'], 'ghost')], new Set(['agent']));
    expect(problems).toEqual([
      { field: '/steps/1/id', message: 'duplicates the id of step 0' },
      { field: '/steps/2/agentId', message: 'no agent with this id' },
      { field: '/steps/2/dependsOn/0', message: 'no step "zzz"' },
    ]);
  });
});
