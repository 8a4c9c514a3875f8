import { abandonedAttempt, ATTEMPT_CANCELLED, ATTEMPT_SUPERSEDED } from './attempt-errors';

describe('abandonedAttempt', () => {
  it("closes a cancelled task's attempt as its runner does when it finds the task cancelled", () => {
    expect(abandonedAttempt('cancelled')).toEqual({ status: 'cancelled', error: ATTEMPT_CANCELLED });
    expect(ATTEMPT_CANCELLED).toEqual({ code: 'CANCELLED', message: 'Cancelled' });
  });

  it("closes the attempt of a task that ended otherwise as superseded, as a runner's late outcome is", () => {
    for (const status of ['succeeded', 'failed', 'expired'] as const)
      expect(abandonedAttempt(status)).toEqual({ status: 'cancelled', error: ATTEMPT_SUPERSEDED });
    expect(ATTEMPT_SUPERSEDED.code).toBe('SUPERSEDED');
  });
});
