import { shownProgress } from './task-status';

describe('shownProgress', () => {
  it('shows no bar for a task that ended without succeeding before any progress', () => {
    expect(shownProgress({ status: 'failed', progress: 0 })).toBeNull();
    expect(shownProgress({ status: 'cancelled', progress: 0 })).toBeNull();
    expect(shownProgress({ status: 'expired', progress: 0 })).toBeNull();
  });

  it('shows how far one got before it ended, and every other task as it stands, 0 % included', () => {
    expect(shownProgress({ status: 'failed', progress: 40 })).toBe(40);
    expect(shownProgress({ status: 'succeeded', progress: 0 })).toBe(0);
    expect(shownProgress({ status: 'succeeded', progress: 100 })).toBe(100);
    expect(shownProgress({ status: 'queued', progress: 0 })).toBe(0);
    expect(shownProgress({ status: 'running', progress: 0 })).toBe(0);
    expect(shownProgress({ status: 'retrying', progress: 0 })).toBe(0);
  });
});
