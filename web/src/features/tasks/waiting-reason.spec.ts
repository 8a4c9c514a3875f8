import { endedWords, noAttemptReasons } from './waiting-reason';

const active = { id: 'a1', name: 'adder', status: 'active' as const };
const paused = { ...active, status: 'paused' as const };

describe('why a task has no attempt', () => {
  it('names its paused agent, so the task is known to wait for it to be resumed', () => {
    expect(noAttemptReasons('queued', paused, 2)).toEqual([
      { kind: 'agent-paused', agentId: 'a1', agentName: 'adder' },
    ]);
  });

  it('says no worker is running when none is connected to the task queue', () => {
    expect(noAttemptReasons('queued', active, 0)).toEqual([{ kind: 'no-workers' }]);
  });

  it('gives both reasons when the agent is paused and no worker runs', () => {
    expect(noAttemptReasons('queued', paused, 0).map((r) => r.kind)).toEqual(['agent-paused', 'no-workers']);
  });

  it('says only that it waits for a worker when nothing is known to stand in the way', () => {
    expect(noAttemptReasons('queued', active, 3)).toEqual([{ kind: 'waiting' }]);
    // The agent not loaded yet, the workers not readable (a non-admin): nothing to say beyond waiting.
    expect(noAttemptReasons('queued', null, null)).toEqual([{ kind: 'waiting' }]);
  });

  it('says a task sent with a start time still to come waits for it, not for a worker', () => {
    const now = Date.parse('2030-01-01T12:00:00Z');
    expect(noAttemptReasons('queued', active, 3, '2030-01-01T12:05:00Z', now)).toEqual([
      { kind: 'not-before', at: '2030-01-01T12:05:00Z' },
    ]);
    expect(noAttemptReasons('queued', paused, 0, '2030-01-01T12:05:00Z', now).map((r) => r.kind)).toEqual([
      'not-before',
      'agent-paused',
      'no-workers',
    ]);
    // Once the time has come, it waits for a worker like any other.
    expect(noAttemptReasons('queued', active, 3, '2030-01-01T11:59:00Z', now)).toEqual([{ kind: 'waiting' }]);
    expect(noAttemptReasons('cancelled', active, 3, '2030-01-01T12:05:00Z', now)).toEqual([
      { kind: 'ended', status: 'cancelled' },
    ]);
  });

  it('does not say a task that ended is waiting, whatever its agent and the workers', () => {
    expect(noAttemptReasons('cancelled', paused, 0)).toEqual([{ kind: 'ended', status: 'cancelled' }]);
    expect(noAttemptReasons('expired', active, 1)).toEqual([{ kind: 'ended', status: 'expired' }]);
    expect(endedWords('cancelled')).toBe('was cancelled');
    expect(endedWords('expired')).toBe('expired');
  });
});
