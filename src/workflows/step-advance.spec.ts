import { renderKey } from './step-advance';
import type { WorkflowStep } from './workflow-definition';

describe('renderKey', () => {
  const step = { id: 'a', agentId: '00000000-0000-4000-8000-000000000000', input: {} } as WorkflowStep;

  it('is the same for a context whose keys come back reordered (as jsonb gives them)', () => {
    const written = { input: { task: { status: 'succeeded', id: 'x', output: { result: 21 } } }, steps: {} };
    const readBack = JSON.parse('{"steps":{},"input":{"task":{"id":"x","output":{"result":21},"status":"succeeded"}}}');
    expect(renderKey(step, readBack)).toBe(renderKey(step, written));
  });

  it('differs for another context or another step', () => {
    const context = { input: { n: 1 }, steps: {} };
    expect(renderKey(step, { input: { n: 2 }, steps: {} })).not.toBe(renderKey(step, context));
    expect(renderKey({ ...step, id: 'b' }, context)).not.toBe(renderKey(step, context));
  });
});
