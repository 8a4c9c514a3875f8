import {
  decisionRefusal,
  decisionText,
  isDecidable,
  isRetryable,
  mayDecide,
  stepDoer,
  waitingFor,
} from './step-helpers';

const at = '2026-12-02T10:00:00.000Z';

describe('waitingFor', () => {
  it('says what a waiting step waits for, its time as a date and time in the time zone given', () => {
    expect(waitingFor({ kind: 'wait', status: 'waiting', waitUntil: at, approvalDeadline: null }, 'UTC')).toBe(
      'waits until Wed, 2 Dec 2026, 10:00 (UTC)',
    );
    expect(
      waitingFor({ kind: 'approval', status: 'waiting', waitUntil: null, approvalDeadline: at }, 'Europe/Paris'),
    ).toBe('waits for approval, times out at Wed, 2 Dec 2026, 11:00 (Europe/Paris)');
    expect(waitingFor({ kind: 'approval', status: 'waiting', waitUntil: null, approvalDeadline: null }, 'UTC')).toBe(
      'waits for approval (no deadline)',
    );
  });

  it('says nothing for steps that do not wait', () => {
    expect(
      waitingFor({ kind: 'approval', status: 'succeeded', waitUntil: null, approvalDeadline: at }, 'UTC'),
    ).toBeNull();
    expect(waitingFor({ kind: 'task', status: 'waiting', waitUntil: null, approvalDeadline: null }, 'UTC')).toBeNull();
  });
});

describe('decisionText', () => {
  const names = (id: string) => (id === 'u1' ? 'Ada' : undefined);
  it('names who decided, or their id when unknown', () => {
    expect(decisionText({ outcome: 'approved', by: 'u1', at, comment: null }, names)).toBe('approved by Ada');
    expect(decisionText({ outcome: 'rejected', by: '0123456789ab', at, comment: 'no' }, names)).toBe(
      'rejected by 01234567',
    );
    expect(decisionText({ outcome: 'timed_out', by: null, at, comment: null }, names)).toBe(
      'timed out (nobody decided in time)',
    );
  });
});

describe('isDecidable and isRetryable', () => {
  it('allows deciding only a waiting approval step of a running run', () => {
    expect(isDecidable({ kind: 'approval', status: 'waiting' }, 'running')).toBe(true);
    expect(isDecidable({ kind: 'wait', status: 'waiting' }, 'running')).toBe(false);
    expect(isDecidable({ kind: 'approval', status: 'succeeded' }, 'running')).toBe(false);
    expect(isDecidable({ kind: 'approval', status: 'waiting' }, 'cancelled')).toBe(false);
  });
  it('retries failed and cancelled runs only', () => {
    expect(isRetryable('failed')).toBe(true);
    expect(isRetryable('cancelled')).toBe(true);
    expect(isRetryable('succeeded')).toBe(false);
    expect(isRetryable('running')).toBe(false);
  });
});

describe('decisionRefusal', () => {
  it('explains a 409 and a 403', () => {
    expect(decisionRefusal(409, 'x')).toMatch(/decided already/);
    const refused = 'Deciding this step takes the users:manage permission, which your role does not hold';
    expect(decisionRefusal(403, refused)).toBe(refused);
    expect(decisionRefusal(500, 'boom')).toBe('boom');
  });
});

describe('mayDecide', () => {
  const operator = { id: 'u1', role: 'operator', permissions: ['workflows:read', 'workflows:write'] };
  const admin = { id: 'u2', role: 'admin', permissions: ['workflows:write', 'users:manage'] };
  const viewer = { id: 'u3', role: 'viewer', permissions: ['workflows:read'] };
  const mine = { createdBy: 'u1' };
  const theirs = { createdBy: 'u9' };

  it('lets whoever may change the run decide a step that names no permission', () => {
    expect(mayDecide({ permission: null }, mine, operator)).toBe(true);
    expect(mayDecide({ permission: null }, theirs, operator)).toBe(false);
    expect(mayDecide({ permission: null }, theirs, admin)).toBe(true);
    expect(mayDecide({ permission: null }, { createdBy: 'u3' }, viewer)).toBe(false);
  });

  it('lets only the holders of a named permission decide, the run’s creator included only if they hold it', () => {
    expect(mayDecide({ permission: 'users:manage' }, theirs, admin)).toBe(true);
    expect(mayDecide({ permission: 'users:manage' }, mine, operator)).toBe(false);
    expect(mayDecide({ permission: 'workflows:read' }, theirs, viewer)).toBe(true);
  });
});

describe('stepDoer', () => {
  const agentName = (agentId: string | undefined) => (agentId ? `calc ${agentId}` : 'no agent');

  it('names a task step by its agent, and an approval or a wait step by its kind, not as "no agent"', () => {
    expect(stepDoer({ kind: 'task', agentId: 'a1' }, agentName)).toEqual({ shown: 'calc a1', spoken: 'agent calc a1' });
    expect(stepDoer({ agentId: 'a1' }, agentName)).toEqual({ shown: 'calc a1', spoken: 'agent calc a1' });
    expect(stepDoer({ kind: 'approval' }, agentName)).toEqual({ shown: 'approval', spoken: 'approval' });
    expect(stepDoer({ kind: 'wait' }, agentName)).toEqual({ shown: 'wait', spoken: 'wait' });
    // A task step still being typed, without its agent, says so.
    expect(stepDoer({ kind: 'task' }, agentName)).toEqual({ shown: 'no agent', spoken: 'agent no agent' });
  });
});
