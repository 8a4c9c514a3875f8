import type { Condition } from '../common/conditions/condition';
import {
  conditionProblems,
  definitionProblems,
  findCycle,
  templateField,
  type WorkflowStep,
} from './workflow-definition';

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

describe('conditions that never hold', () => {
  const at = (condition: Condition) => conditionProblems(condition, '/steps/0/when');

  it.each<[string, Condition, string]>([
    [
      'in without a list',
      { field: 'input.c', op: 'in', value: 'DE' },
      'in takes an array of the values the field may have',
    ],
    ['eq without a value', { field: 'input.c', op: 'eq' }, 'eq compares the field with value, which is missing'],
    [
      'contains without a value',
      { field: 'input.c', op: 'contains' },
      'contains compares the field with value, which is missing',
    ],
    [
      'lte with a boolean',
      { field: 'input.n', op: 'lte', value: true },
      'lte compares numbers or text: nothing is lte true',
    ],
    [
      'exists with text',
      { field: 'input.n', op: 'exists', value: 'false' },
      'exists takes true (the field is there) or false (it is not)',
    ],
    [
      'a status no step has',
      { field: 'steps.a.status', op: 'in', value: ['succeeded', 'done'] },
      'a step\'s status is one of pending, queued, running, waiting, succeeded, failed, skipped, cancelled: never "done"',
    ],
  ])('refuses %s, on its value', (_, condition, message) => {
    expect(at(condition)).toEqual([{ field: '/steps/0/when/value', message }]);
  });

  it('points into and, or and not', () => {
    expect(
      at({ or: [{ field: 'input.a', op: 'exists' }, { and: [{ not: { field: 'input.b', op: 'ne' } }] }] }),
    ).toEqual([
      { field: '/steps/0/when/or/1/and/0/not/value', message: 'ne compares the field with value, which is missing' },
    ]);
  });

  it.each<Condition>([
    { field: 'input.c', op: 'in', value: ['DE', 'FR'] },
    { field: 'input.c', op: 'eq', value: null },
    { field: 'input.n', op: 'gt', value: 2 },
    { field: 'input.day', op: 'gte', value: '2024-01-01' },
    { field: 'input.c', op: 'exists' },
    { field: 'input.c', op: 'exists', value: false },
    { field: 'steps.a.status', op: 'ne', value: 'failed' },
    { field: 'steps.a.output.status', op: 'eq', value: 'done' },
  ])('accepts %j', (condition) => {
    expect(at(condition)).toEqual([]);
  });
});

describe('templateField', () => {
  it("names a template problem on the step's input or until", () => {
    const steps: WorkflowStep[] = [step('a'), { id: 'w', kind: 'wait', until: '{{ x }}' }];
    expect(templateField(steps, '/0/text/1')).toBe('/steps/0/input/text/1');
    expect(templateField(steps, '/1')).toBe('/steps/1/until');
    expect(templateField(steps, '/7/x')).toBe('/steps');
  });
});
