import { runFilter, taskFilter } from './bulk-targets';

describe('bulk targets: the stored filter read as the list filter', () => {
  const snapshot = new Date('2026-01-01T00:00:00Z');
  const dates = { createdAfter: '2025-01-01T00:00:00.000Z', createdBefore: '2025-06-01T00:00:00.000Z' };

  it('carries every field of a run filter, the tag included', () => {
    const stored = { status: 'failed', workflowId: 'w', tag: 'nightly', createdBy: 'u', ...dates };
    expect(runFilter(stored, snapshot)).toEqual({
      status: 'failed',
      workflowId: 'w',
      tag: 'nightly',
      createdBy: 'u',
      createdAfter: new Date(dates.createdAfter),
      createdBefore: new Date(dates.createdBefore),
    });
  });

  it('carries every field of a task filter', () => {
    const stored = {
      status: 'failed',
      agentId: 'a',
      errorCode: 'BOOM',
      tag: 'nightly',
      metadata: { team: 'red' },
      ...dates,
    };
    expect(taskFilter(stored, snapshot)).toEqual({
      status: 'failed',
      agentId: 'a',
      errorCode: 'BOOM',
      tag: 'nightly',
      metadata: { team: 'red' },
      createdBy: undefined,
      createdAfter: new Date(dates.createdAfter),
      createdBefore: new Date(dates.createdBefore),
    });
  });

  it('bounds a filter without dates by the snapshot, and leaves out what is not set', () => {
    expect(runFilter({ tag: 'x' }, snapshot)).toEqual({
      status: undefined,
      workflowId: undefined,
      tag: 'x',
      createdBy: undefined,
      createdAfter: undefined,
      createdBefore: snapshot,
    });
  });
});
