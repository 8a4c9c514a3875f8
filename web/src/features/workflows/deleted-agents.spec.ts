import { agentsGone, deletedAgentProblems, deletedAgentReason, stepList } from './deleted-agents';

describe('stepList and deletedAgentReason', () => {
  it('names one step, two, or a few and how many more', () => {
    expect(stepList(['a'])).toBe('step a');
    expect(stepList(['a', 'b'])).toBe('steps a and b');
    expect(stepList(['a', 'b', 'c'])).toBe('steps a, b and c');
    expect(stepList(Array.from({ length: 12 }, (_, i) => `s${i}`))).toBe('steps s0, s1, s2, s3, s4 and 7 more');
  });

  it('says why the workflow cannot run, or nothing when it can', () => {
    expect(deletedAgentReason(['fetch'])).toBe('The agent of step fetch has been deleted');
    expect(deletedAgentReason(['fetch', 'sum'])).toBe('The agent of steps fetch and sum has been deleted');
    expect(deletedAgentReason([])).toBeNull();
  });
});

describe('deletedAgentProblems', () => {
  it('marks the named steps by their index, and no other, among hundreds', () => {
    const steps = Array.from({ length: 500 }, (_, i) => ({ id: `s${i}` }));
    expect(deletedAgentProblems(steps, ['s3', 's499'])).toEqual(
      new Map([
        [3, ['agent deleted']],
        [499, ['agent deleted']],
      ]),
    );
    expect(deletedAgentProblems(steps, []).size).toBe(0);
  });
});

describe('agentsGone', () => {
  const live = (ids: string[], total = ids.length) => ({ items: ids.map((id) => ({ id })), total });

  it('takes an agent missing from the whole list of live agents as deleted, once', () => {
    expect(agentsGone(['kept', 'gone', 'gone'], live(['kept', 'other']))).toEqual({
      gone: new Set(['gone']),
      unsure: [],
    });
    expect(agentsGone([], live(['kept']))).toEqual({ gone: new Set(), unsure: [] });
  });

  it('leaves one missing from a list cut short to be asked for on its own', () => {
    expect(agentsGone(['kept', 'elsewhere'], live(['kept'], 1500))).toEqual({
      gone: new Set(),
      unsure: ['elsewhere'],
    });
  });

  it('knows nothing before the list is there', () => {
    expect(agentsGone(['a'], undefined)).toEqual({ gone: new Set(), unsure: [] });
  });
});
