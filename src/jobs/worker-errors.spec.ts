import { workerErrorMessage } from './worker-errors';

describe('a queue worker’s error in the log', () => {
  it('says a job missing from Redis in words, the same for every job, and anything else as it is', () => {
    const missing = [
      new Error('Missing key for job 1234. moveToFinished'),
      new Error('Missing key for job 98. moveToDelayed'),
    ].map((err) => workerErrorMessage('worker', err));
    expect(new Set(missing).size).toBe(1);
    expect(missing[0]).toMatch(/^worker: jobs were gone from Redis \(restarted empty or flushed\)/);
    // A lock gone is not a Redis emptied: it may have kept its data.
    const locks = ['Missing lock for job 7. moveToFinished', 'Missing lock for job 8. extendLock'].map((message) =>
      workerErrorMessage('worker', new Error(message)),
    );
    expect(new Set(locks).size).toBe(1);
    expect(locks[0]).toMatch(/^worker: jobs' locks were gone from Redis \(it was away, or this worker stalled/);
    expect(workerErrorMessage('bulk worker', new Error('Connection is closed.'))).toBe(
      'bulk worker: Connection is closed.',
    );
  });
});
