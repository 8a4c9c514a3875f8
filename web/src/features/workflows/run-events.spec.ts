import { type LiveEventLike, patchRun, runEvents } from './run-events';

const TASK_STEP = { kind: 'task' as const, waitUntil: null, approvalDeadline: null, decision: null, permission: null };

const run = {
  id: 'r1',
  workflowId: 'w1',
  workflowVersion: 1,
  status: 'running' as const,
  input: {},
  output: null,
  createdBy: 'u1',
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  tags: [],
  steps: [
    { id: 'a', status: 'succeeded' as const, taskId: 't1', output: { result: 3 }, error: null, ...TASK_STEP },
    { id: 'b', status: 'queued' as const, taskId: 't2', output: null, error: null, ...TASK_STEP },
    { id: 'c', status: 'pending' as const, taskId: null, output: null, error: null, ...TASK_STEP },
  ],
};

describe('run events', () => {
  it('keeps only run.updated events that look like one', () => {
    const events: LiveEventLike[] = [
      { name: 'task.updated', payload: { taskId: 't1', status: 'running' } },
      { name: 'run.updated', payload: { runId: 'r1' } },
      { name: 'run.updated', payload: { runId: 'r1', workflowId: 'w1', status: 'running', steps: [], updatedAt: '' } },
    ];
    expect(runEvents(events)).toEqual([events[2].payload]);
  });

  it('writes the statuses of an event into the run and keeps what the event does not carry', () => {
    const next = patchRun(run, {
      runId: 'r1',
      workflowId: 'w1',
      status: 'succeeded',
      steps: [
        { id: 'b', status: 'succeeded', taskId: 't2' },
        { id: 'c', status: 'running', taskId: 't3' },
      ],
      updatedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(next.status).toBe('succeeded');
    expect(next.steps.map((s) => [s.id, s.status, s.taskId])).toEqual([
      ['a', 'succeeded', 't1'],
      ['b', 'succeeded', 't2'],
      ['c', 'running', 't3'],
    ]);
    expect(next.steps[0].output).toEqual({ result: 3 });
    expect(run.steps[1].status).toBe('queued');
  });

  it('leaves another run alone', () => {
    const other = { runId: 'r2', workflowId: 'w1', status: 'failed' as const, steps: [], updatedAt: '' };
    expect(patchRun(run, other)).toBe(run);
  });
});
