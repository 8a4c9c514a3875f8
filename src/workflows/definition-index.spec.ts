import { expressionRefs, indexDefinition } from './definition-index';
import type { WorkflowStep } from './workflow-definition';

const task = (id: string, input: unknown, fields: Partial<WorkflowStep> = {}): WorkflowStep =>
  ({ id, agentId: 'agent', input, ...fields }) as WorkflowStep;

describe('expressionRefs', () => {
  it.each([
    ['steps.a.output.x', ['a']],
    ['steps.a.output.x + steps.`b-1`.output.y', ['a', 'b-1']],
    ['$sum(steps.a.output.items[v > 1].v) & input.name', ['a']],
    ['input.x', []],
  ])('%s reads %j', (expression, ids) => {
    expect(expressionRefs(expression)).toEqual(new Set(ids));
  });

  it.each([
    '$keys(steps)',
    'steps.*.output',
    'steps[0]',
    '$$.steps.a',
    '$.steps.a',
    '$eval("steps.a")',
    '**.output',
    'a +',
  ])('%s may read any step', (expression) => {
    expect(expressionRefs(expression)).toBe('all');
  });
});

describe('indexDefinition', () => {
  it('knows dependents, the steps nothing depends on, what each step reads and which steps render', () => {
    const index = indexDefinition([
      task('a', { text: 'plain' }),
      task('b', { text: '{{ steps.a.output.text }}' }, { dependsOn: ['a'] }),
      task('c', { text: 'x' }, { dependsOn: ['a', 'b'], when: { field: 'steps.b.output.ok', op: 'eq', value: true } }),
      task('d', { text: '{{ $keys(steps) }}' }, { dependsOn: ['a'] }),
    ]);
    expect(index.dependents.get('a')).toEqual(['b', 'c', 'd']);
    expect([...index.terminal]).toEqual(['c', 'd']);
    expect(index.refs.get('a')).toEqual(new Set());
    expect(index.refs.get('b')).toEqual(new Set(['a']));
    expect(index.refs.get('c')).toEqual(new Set(['b']));
    expect(index.refs.get('d')).toBe('all');
    expect([...index.rendered]).toEqual(['b', 'd']);
    expect(index.taskOnly).toBe(true);
  });
});
