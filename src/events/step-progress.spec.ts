import { type RunEvent, StepProgress } from './event-bus';

type Step = RunEvent['steps'][number];

const run = (steps: Step[], status = 'running', runId = 'r1'): RunEvent => ({
  runId,
  workflowId: 'w1',
  createdBy: 'u1',
  status,
  steps,
  updatedAt: '2026-12-06T00:00:00.000Z',
});

const step = (id: string, status: string, taskId: string | null = `${id}-task`): Step => ({ id, status, taskId });

const statuses = (event: RunEvent) => event.steps.map((s) => `${s.id}:${s.status}`);

describe('StepProgress', () => {
  it('keeps a step running that an event made before its task started says is queued', () => {
    const progress = new StepProgress();
    progress.settle(run([step('a', 'queued'), step('b', 'pending', null)]));
    progress.settle(run([step('a', 'running')]));
    const late = run([step('a', 'queued'), step('b', 'succeeded', 'b-task')]);
    expect(statuses(progress.settle(late))).toEqual(['a:running', 'b:succeeded']);
    // The event as sent is left as it was.
    expect(statuses(late)).toEqual(['a:queued', 'b:succeeded']);
  });

  it('keeps a step over once its task ended, whatever an earlier read says', () => {
    const progress = new StepProgress();
    progress.settle(run([step('a', 'running')]));
    progress.settle(run([step('a', 'failed')]));
    expect(statuses(progress.settle(run([step('a', 'running')])))).toEqual(['a:failed']);
    expect(statuses(progress.settle(run([step('a', 'queued')])))).toEqual(['a:failed']);
  });

  it('takes a step run again with a new task as it comes', () => {
    const progress = new StepProgress();
    progress.settle(run([step('a', 'failed', 't1')]));
    expect(statuses(progress.settle(run([step('a', 'pending', null)])))).toEqual(['a:pending']);
    expect(statuses(progress.settle(run([step('a', 'queued', 't2')])))).toEqual(['a:queued']);
    expect(statuses(progress.settle(run([step('a', 'running', 't2')])))).toEqual(['a:running']);
  });

  it('returns an event with nothing to correct as it is, and moves steps forward as they go', () => {
    const progress = new StepProgress();
    for (const status of ['queued', 'running', 'succeeded']) {
      const event = run([step('a', status)]);
      expect(progress.settle(event)).toBe(event);
    }
  });

  it('keeps runs apart, and forgets a run once it ended', () => {
    const progress = new StepProgress();
    progress.settle(run([step('a', 'running')], 'running', 'r1'));
    expect(statuses(progress.settle(run([step('a', 'queued')], 'running', 'r2')))).toEqual(['a:queued']);
    progress.settle(run([step('a', 'succeeded')], 'succeeded', 'r1'));
    expect(statuses(progress.settle(run([step('a', 'queued')], 'running', 'r1')))).toEqual(['a:queued']);
  });

  it('forgets the runs heard of longest ago while it remembers more steps than its bound', () => {
    const progress = new StepProgress(2);
    progress.settle(run([step('a', 'running')], 'running', 'r1'));
    progress.settle(run([step('a', 'running')], 'running', 'r2'));
    // r1 heard of again: r2 is now the one heard of longest ago.
    progress.settle(run([], 'running', 'r1'));
    progress.settle(run([step('a', 'running')], 'running', 'r3'));
    expect(statuses(progress.settle(run([step('a', 'queued')], 'running', 'r1')))).toEqual(['a:running']);
    expect(statuses(progress.settle(run([step('a', 'queued')], 'running', 'r2')))).toEqual(['a:queued']);
  });
});
