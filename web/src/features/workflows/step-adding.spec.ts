import { agentOfStep, sourcePath, stepIdFor, stepIdsOf, withStep } from './step-adding';

const AGENT = '11111111-1111-4111-8111-111111111111';

describe('adding a step in the editor', () => {
  it('makes a step id from the agent’s name that a template names as a field, unique among the steps', () => {
    expect(stepIdFor('Summarize Text', new Set())).toBe('summarize_text');
    expect(stepIdFor('Summarize Text', new Set(['summarize_text', 'summarize_text_2']))).toBe('summarize_text_3');
    expect(stepIdFor('Café crème!', new Set())).toBe('cafe_creme');
    expect(stepIdFor('42 answers', new Set())).toBe('step_42_answers');
    expect(stepIdFor('日本語', new Set())).toBe('step');
    expect(stepIdFor('日本語', new Set(['step']))).toBe('step_2');
    expect(stepIdFor('And', new Set())).toBe('and_step');
    expect(stepIdFor('x'.repeat(300), new Set())).toHaveLength(60);
  });

  it('reads a first step’s input from the run’s input, a later one’s from the step before, quoting an id as needed', () => {
    expect(sourcePath([])).toBe('input');
    expect(sourcePath(['fetch', 'other'])).toBe('steps.fetch.output');
    expect(sourcePath(['first-step'])).toBe('steps.`first-step`.output');
    expect(sourcePath(['or'])).toBe('steps.`or`.output');
  });

  it('finds the agent of the step a new one follows', () => {
    const definition = { steps: [{ id: 'a', agentId: AGENT }, { id: 'b' }, null] };
    expect(agentOfStep(definition, 'a')).toBe(AGENT);
    expect(agentOfStep(definition, 'b')).toBeUndefined();
    expect(agentOfStep(definition, 'c')).toBeUndefined();
    expect(agentOfStep({ steps: 'no' }, 'a')).toBeUndefined();
  });

  it('lists the ids of the steps that have one', () => {
    expect(stepIdsOf({ steps: [{ id: 'a' }, { agentId: AGENT }, null, { id: 'b' }] })).toEqual(['a', 'b']);
    expect(stepIdsOf({ steps: 'no' })).toEqual([]);
    expect(stepIdsOf(null)).toEqual([]);
  });

  it('appends the step, keeping the rest of the definition, and says why when it cannot', () => {
    const text = JSON.stringify({ name: 'w', description: 'd', steps: [{ id: 'a', agentId: AGENT, input: {} }] });
    const added = withStep(text, { id: 'b', agentId: AGENT, input: '{{ steps.a.output }}', dependsOn: ['a'] });
    expect(added.ok && JSON.parse(added.text)).toEqual({
      name: 'w',
      description: 'd',
      steps: [
        { id: 'a', agentId: AGENT, input: {} },
        { id: 'b', agentId: AGENT, input: '{{ steps.a.output }}', dependsOn: ['a'] },
      ],
    });
    const first = withStep('{"name": "w"}', { id: 'a', agentId: AGENT, input: '{{ input }}', dependsOn: [] });
    expect(first.ok && JSON.parse(first.text)).toEqual({
      name: 'w',
      steps: [{ id: 'a', agentId: AGENT, input: '{{ input }}' }],
    });
    expect(withStep('{"name": ', { id: 'a', agentId: AGENT, input: 1 })).toMatchObject({ ok: false });
    expect(withStep('[1]', { id: 'a', agentId: AGENT, input: 1 })).toMatchObject({ ok: false });
    expect(withStep('{"steps": 3}', { id: 'a', agentId: AGENT, input: 1 })).toEqual({
      ok: false,
      message: '“steps” must be a list to add a step to it',
    });
  });
});
