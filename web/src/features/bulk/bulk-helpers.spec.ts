import {
  allowedActions,
  bulkTaskFilter,
  matchedText,
  needsAll,
  operationTitle,
  progressPercent,
  progressText,
} from './bulk-helpers';

describe('bulkTaskFilter', () => {
  it('keeps only the filters that are set', () => {
    expect(bulkTaskFilter({ status: 'failed', agentId: undefined, errorCode: 'BOOM', tag: '' })).toEqual({
      status: 'failed',
      errorCode: 'BOOM',
    });
    expect(bulkTaskFilter({})).toEqual({});
  });
});

describe('allowedActions', () => {
  it('offers retry for failed and cancelled, cancel for unfinished, both without a status', () => {
    expect(allowedActions('failed')).toEqual(['retry']);
    expect(allowedActions('cancelled')).toEqual(['retry']);
    expect(allowedActions('running')).toEqual(['cancel']);
    expect(allowedActions('succeeded')).toEqual([]);
    expect(allowedActions(undefined)).toEqual(['retry', 'cancel']);
  });
});

describe('needsAll', () => {
  it('spots the server asking for the "all" confirmation', () => {
    expect(needsAll([{ field: '/all', message: 'required' }])).toBe(true);
    expect(needsAll([{ field: '/filter/status', message: 'x' }])).toBe(false);
  });
});

describe('texts', () => {
  it('counts matches', () => {
    expect(matchedText(1, 'task')).toBe('1 task matches');
    expect(matchedText(1234, 'task')).toBe('1,234 tasks match');
    expect(matchedText(0, 'run')).toBe('0 runs match');
  });
  it('says the progress', () => {
    expect(progressText({ matched: 1000, done: 400, failed: 12, progress: 0.412 })).toBe(
      '412 of 1,000 (41%) · 12 could not be changed',
    );
    expect(progressText({ matched: 3, done: 3, failed: 0, progress: 1 })).toBe('3 of 3 (100%)');
  });
  it('says the progress of an operation that acted on more than it matched at the start', () => {
    const op = { matched: 20, done: 47, failed: 0, progress: 1 };
    expect(progressText(op)).toBe('47 done (20 matched at the start)');
    expect(progressText({ ...op, failed: 2 })).toBe('49 done (20 matched at the start) · 2 could not be changed');
  });
  it('keeps the progress bar between 0 and 100', () => {
    expect(progressPercent({ progress: 2.35 })).toBe(100);
    expect(progressPercent({ progress: 0.412 })).toBe(41);
    expect(progressPercent({ progress: -1 })).toBe(0);
  });
  it('names the operation', () => {
    expect(operationTitle({ kind: 'tasks', action: 'retry' })).toBe('Retry tasks');
    expect(operationTitle({ kind: 'workflow-runs', action: 'cancel' })).toBe('Cancel workflow runs');
  });
});
