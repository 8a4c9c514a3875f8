import { attemptsText } from './attempts-text';

describe('attemptsText', () => {
  it('says where a run stands while the task may still run', () => {
    expect(attemptsText({ status: 'queued', attempts: 0, attemptOffset: 0, maxAttempts: 3 })).toBe(
      'no attempt yet, at most 3',
    );
    expect(attemptsText({ status: 'retrying', attempts: 2, attemptOffset: 0, maxAttempts: 3 })).toBe('attempt 2 of 3');
  });

  it('counts a retried task’s new run from its retry, its earlier attempts added', () => {
    expect(attemptsText({ status: 'running', attempts: 4, attemptOffset: 3, maxAttempts: 3 })).toBe(
      'attempt 1 of 3 (4 in all)',
    );
    expect(attemptsText({ status: 'queued', attempts: 3, attemptOffset: 3, maxAttempts: 3 })).toBe(
      'no attempt yet, at most 3 (3 in all)',
    );
  });

  it('says how many attempts an ended task took, promising none more', () => {
    expect(attemptsText({ status: 'failed', attempts: 1, attemptOffset: 0, maxAttempts: 3 })).toBe('1 attempt');
    expect(attemptsText({ status: 'failed', attempts: 6, attemptOffset: 3, maxAttempts: 3 })).toBe(
      '3 attempts (6 in all)',
    );
  });
});
