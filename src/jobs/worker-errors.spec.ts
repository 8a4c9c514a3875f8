import { workerErrorMessage } from './worker-errors';

describe('a queue worker’s error in the log', () => {
  it('says a job missing from Redis in words, the same for every job, and anything else as it is', () => {
    const missing = [
      new Error('Missing key for job 1234. moveToFinished'),
      new Error('Missing key for job 98. moveToDelayed'),
      new Error('Missing lock for job 7. moveToFinished'),
    ].map((err) => workerErrorMessage('worker', err));
    expect(new Set(missing).size).toBe(1);
    expect(missing[0]).toMatch(/^worker: jobs were gone from Redis \(restarted empty or flushed\)/);
    expect(workerErrorMessage('bulk worker', new Error('Connection is closed.'))).toBe(
      'bulk worker: Connection is closed.',
    );
  });
});
