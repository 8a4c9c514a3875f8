import type { WorkflowStepDto } from './dto/workflow.dto';
import { stepShapeProblems, storedStep } from './step-shapes';

const fields = (step: object) => stepShapeProblems(step as WorkflowStepDto, 0).map((p) => p.field);

describe('step shapes', () => {
  it('keeps each kind to its own fields', () => {
    expect(fields({ id: 'a', agentId: 'x', input: {} })).toEqual([]);
    expect(fields({ id: 'a', kind: 'approval', agentId: 'x', timeoutMs: 5 })).toEqual(['/steps/0/agentId']);
    expect(fields({ id: 'a', kind: 'wait', durationMs: 5, permission: 'tasks:read' })).toEqual(['/steps/0/permission']);
    expect(fields({ id: 'a', agentId: 'x', input: {}, until: '2030-01-01T00:00:00Z' })).toEqual(['/steps/0/until']);
  });

  it('wants a wait to have a duration or a time, not both, and a time that parses or a template', () => {
    expect(fields({ id: 'a', kind: 'wait' })).toEqual(['/steps/0/durationMs']);
    expect(fields({ id: 'a', kind: 'wait', durationMs: 1, until: '2030-01-01T00:00:00Z' })).toEqual([
      '/steps/0/durationMs',
    ]);
    expect(fields({ id: 'a', kind: 'wait', until: 'soon' })).toEqual(['/steps/0/until']);
    expect(fields({ id: 'a', kind: 'wait', until: '{{ input.at }}' })).toEqual([]);
    expect(fields({ id: 'a', kind: 'wait', until: '2030-01-01T10:00:00+05:30' })).toEqual([]);
    expect(fields({ id: 'a', kind: 'wait', until: '2030-01-01' })).toEqual([]);
    // Times that Date.parse reads, but not as a request's dates are read: a day that does not exist, no offset
    // (the server's own zone), not ISO 8601, out of years 0001-9999.
    for (const until of [
      '2031-02-29T00:00:00Z',
      '2030-01-01T10:00',
      '2030-01-01 10:00:00Z',
      '7',
      'June 1, 2031',
      '+275760-09-13T00:00:00Z',
      '0000-01-01T00:00:00Z',
    ])
      expect([until, fields({ id: 'a', kind: 'wait', until })]).toEqual([until, ['/steps/0/until']]);
  });

  it('stores task steps as before, without a kind, and the others with theirs', () => {
    expect(storedStep({ id: 'a', kind: 'task', agentId: 'x', input: 1, dependsOn: [] } as WorkflowStepDto)).toEqual({
      id: 'a',
      agentId: 'x',
      input: 1,
    });
    expect(storedStep({ id: 'b', kind: 'approval', timeoutMs: 9, dependsOn: ['a'] } as WorkflowStepDto)).toEqual({
      id: 'b',
      kind: 'approval',
      dependsOn: ['a'],
      timeoutMs: 9,
    });
  });
});
