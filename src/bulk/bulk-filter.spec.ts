import { filterProblems, timeBounds } from './bulk-filter';

describe('bulk filter rules', () => {
  const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

  it('takes a narrowed filter whose status the action applies to', () => {
    expect(filterProblems('tasks', 'retry', { tag: 'nightly', status: 'failed' }, undefined)).toEqual([]);
    expect(filterProblems('tasks', 'cancel', { agentId: 'a', status: 'retrying' }, undefined)).toEqual([]);
    expect(filterProblems('workflow-runs', 'cancel', { workflowId: 'w', status: 'running' }, undefined)).toEqual([]);
  });

  it('refuses a filter that narrows by nothing but status or scope, unless all is sent', () => {
    expect(fields(filterProblems('tasks', 'cancel', {}, undefined))).toEqual(['/all']);
    expect(fields(filterProblems('tasks', 'retry', { status: 'failed', createdBy: 'u' }, false))).toEqual(['/all']);
    expect(filterProblems('tasks', 'retry', { status: 'failed' }, true)).toEqual([]);
    expect(fields(filterProblems('tasks', 'cancel', { metadata: {}, status: 'queued' }, undefined))).toEqual(['/all']);
  });

  it('refuses a status the action does not apply to', () => {
    expect(fields(filterProblems('tasks', 'retry', { tag: 'x', status: 'succeeded' }, undefined))).toEqual([
      '/filter/status',
    ]);
    expect(fields(filterProblems('workflow-runs', 'retry', { workflowId: 'w', status: 'running' }, true))).toEqual([
      '/filter/status',
    ]);
  });

  it('refuses an empty time range', () => {
    const filter = { createdAfter: '2030-01-01T00:00:00Z', createdBefore: '2020-01-01T00:00:00Z' };
    expect(fields(filterProblems('tasks', 'retry', filter, undefined))).toEqual(['/filter/createdBefore']);
  });

  it('bounds the time range by the snapshot', () => {
    const snapshot = new Date('2026-01-01T00:00:00Z');
    expect(timeBounds({}, snapshot)).toEqual({ createdAfter: undefined, createdBefore: snapshot });
    expect(timeBounds({ createdBefore: '2030-01-01T00:00:00Z' }, snapshot).createdBefore).toEqual(snapshot);
    expect(timeBounds({ createdBefore: '2025-01-01T00:00:00Z' }, snapshot).createdBefore).toEqual(
      new Date('2025-01-01T00:00:00Z'),
    );
  });
});
