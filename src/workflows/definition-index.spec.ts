import { SchemaValidator } from '../common/schema/schema-validator';
import { expressionRefs, indexDefinition, readProblems } from './definition-index';
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

describe('readProblems', () => {
  const validator = new SchemaValidator();
  const problems = (steps: WorkflowStep[]) => readProblems(steps, validator);

  it('accepts reads of steps upstream, directly or through others, and of input', () => {
    expect(
      problems([
        task('a', { n: '{{ input.n }}' }),
        task('b', { n: '{{ steps.a.output.n }}' }, { dependsOn: ['a'] }),
        task('c', { n: '{{ $string(steps.a.output.n) & steps.b.status }}' }, { dependsOn: ['b'] }),
        task('d', { n: '{{ $keys(steps) }}' }),
        task('e', {}, { dependsOn: ['c'], when: { field: 'steps.a.status', op: 'eq', value: 'succeeded' } }),
      ]),
    ).toEqual([]);
  });

  it('refuses reads of steps not upstream, of the step itself and of unknown steps, on the field', () => {
    expect(
      problems([
        task('a', { n: '1' }),
        task('b', { n: '1' }, { dependsOn: ['a'] }),
        task('c', { expression: '{{ $string(steps.a.output.result) }}' }),
        task('d', { n: '{{ steps.d.output }}', m: '{{ steps.nope.output }}' }, { dependsOn: ['a'] }),
        task('e', {}, { dependsOn: ['a'], when: { not: { field: 'steps.b.status', op: 'eq', value: 'failed' } } }),
        { id: 'f', kind: 'wait', until: '{{ steps.e.output.at }}' },
      ]),
    ).toEqual([
      { field: '/steps/2/input', message: 'reads steps.a, which this step does not depend on (add it to dependsOn)' },
      { field: '/steps/3/input', message: 'reads steps.d, which is this step: it reads only steps it depends on' },
      { field: '/steps/3/input', message: 'reads steps.nope: no step "nope"' },
      { field: '/steps/4/when', message: 'reads steps.b, which this step does not depend on (add it to dependsOn)' },
      { field: '/steps/5/until', message: 'reads steps.e, which this step does not depend on (add it to dependsOn)' },
    ]);
  });

  it('ends on a dependency cycle (refused on its own) instead of going round', () => {
    const cycle = [
      task('a', { n: '{{ steps.x.output }}' }, { dependsOn: ['b'] }),
      task('b', {}, { dependsOn: ['a'] }),
      task('x', {}),
    ];
    expect(problems(cycle)).toEqual([
      { field: '/steps/0/input', message: 'reads steps.x, which this step does not depend on (add it to dependsOn)' },
    ]);
  });

  it('refuses names outside the context and fields a step does not have, in plain paths only', () => {
    expect(
      problems([
        task('a', {}),
        task(
          'b',
          {
            x: '{{ task.id }}',
            y: 'at {{ $uppercase(customer) }} and {{ steps.a.error }}',
            fine: '{{ $map(input.items[price > 2], function($v) { $v.name & sku }) }}',
            alsoFine: '{{ ($n := input.n; $n * 2) }} {{ input.items.(price * qty) }} {{ $$.anything }}',
          },
          { dependsOn: ['a'], when: { field: 'order.total', op: 'gt', value: 3 } },
        ),
      ]),
    ).toEqual([
      { field: '/steps/1/input', message: 'reads task.id: templates read only input and steps (input.task.id?)' },
      { field: '/steps/1/input', message: 'reads customer: templates read only input and steps (input.customer?)' },
      { field: '/steps/1/input', message: 'reads steps.a.error: a step has only output and status' },
      {
        field: '/steps/1/when',
        message: 'reads order.total: conditions read only input and steps (input.order.total?)',
      },
    ]);
  });

  it('reports a `when` that is not a condition by the schema, and reads nothing of it', () => {
    const found = problems([task('a', {}, { when: { and: 5 } as never })]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.field.startsWith('/steps/0/when'))).toBe(true);
  });

  it('reports conditions that never hold under their value', () => {
    expect(problems([task('a', {}, { when: { and: [{ field: 'input.n', op: 'in', value: 2 }] } })])).toEqual([
      { field: '/steps/0/when/and/0/value', message: 'in takes an array of the values the field may have' },
    ]);
  });
});
