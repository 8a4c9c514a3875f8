import { offersKeepRunning, revocationText } from './revocation-text';

describe('what the revoke dialog says the key set running', () => {
  const none = { pausedSchedules: 0, disabledWebhooks: 0, pausedWorkflowTriggers: 0 };

  it('counts each kind, in words that agree with the number', () => {
    expect(revocationText({ pausedSchedules: 2, disabledWebhooks: 1, pausedWorkflowTriggers: 1 }, false)).toBe(
      'It created or last changed 2 running schedules, 1 webhook endpoint and 1 workflow’s triggers: they are paused or disabled with it.',
    );
    expect(revocationText({ ...none, pausedWorkflowTriggers: 1200 }, true)).toBe(
      'It created or last changed 1,200 workflows’ triggers: they keep running.',
    );
    expect(revocationText({ ...none, disabledWebhooks: 1 }, true)).toBe(
      'It created or last changed 1 webhook endpoint: it keeps running.',
    );
    expect(revocationText({ ...none, pausedSchedules: 1, disabledWebhooks: 3 }, false)).toBe(
      'It created or last changed 1 running schedule and 3 webhook endpoints: they are paused or disabled with it.',
    );
  });

  it('says when there is nothing, and speaks in general while the counts are not known', () => {
    expect(revocationText(none, false)).toBe(
      'It set nothing running: no schedule, webhook or workflow trigger was made or changed with it.',
    );
    expect(revocationText(undefined, false)).toBe(
      'The schedules, webhooks and workflow triggers it created or last changed are paused or disabled with it.',
    );
    expect(revocationText(undefined, true)).toBe(
      'The schedules, webhooks and workflow triggers it created or last changed keep running.',
    );
  });

  it('offers to keep running only what there is: not when the key set nothing running', () => {
    expect(offersKeepRunning(none)).toBe(false);
    expect(offersKeepRunning({ ...none, disabledWebhooks: 1 })).toBe(true);
    expect(offersKeepRunning(undefined)).toBe(true);
  });
});
