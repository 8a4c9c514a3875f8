import type { WorkflowRunEntity } from './entities/workflow-run.entity';
import { resetForRetry, taskStepsToRerun } from './run-retry';

describe('resetForRetry', () => {
  it('runs again what failed, was cancelled or skipped, and keeps what succeeded', () => {
    const run = {
      status: 'failed',
      output: { c: null },
      finishedAt: new Date(),
      steps: {
        a: { status: 'succeeded', taskId: 't-a', output: { result: 42 }, error: null },
        b: { status: 'failed', taskId: 't-b', output: null, error: { code: 'BAD_RESPONSE', message: 'no' } },
        c: { status: 'skipped', taskId: null, output: null, error: null },
        d: { status: 'cancelled', taskId: 't-d', output: null, error: null },
        e: {
          status: 'failed',
          kind: 'approval',
          taskId: null,
          output: { approved: false, by: 'u', comment: 'no', at: '2026-01-01T00:00:00.000Z' },
          error: { code: 'APPROVAL_REJECTED', message: 'Rejected' },
          approvalDeadline: null,
          decision: { outcome: 'rejected', by: 'u', at: '2026-01-01T00:00:00.000Z', comment: 'no' },
        },
      },
    } as unknown as WorkflowRunEntity;
    expect(resetForRetry(run)).toEqual(['b', 'c', 'd', 'e']);
    expect(run.status).toBe('running');
    expect(run.finishedAt).toBeNull();
    expect(run.output).toBeNull();
    expect(run.steps.a).toEqual({ status: 'succeeded', taskId: 't-a', output: { result: 42 }, error: null });
    // A rejected approval waits for a decision anew.
    for (const id of ['b', 'c', 'd', 'e'])
      expect(run.steps[id]).toEqual({ status: 'pending', taskId: null, output: null, error: null });
  });
});

describe('taskStepsToRerun', () => {
  it('names the task steps a retry runs again, not those that succeeded nor approval and wait steps', () => {
    const agentId = '00000000-0000-4000-8000-000000000000';
    const run = {
      definition: [
        { id: 'a', agentId, input: {} },
        { id: 'b', agentId, input: {}, dependsOn: ['a'] },
        { id: 'gate', kind: 'approval' },
        { id: 'c', agentId, input: {}, dependsOn: ['b'] },
        { id: 'd', agentId, input: {} },
      ],
      steps: {
        a: { status: 'succeeded', taskId: 't-a', output: null, error: null },
        b: { status: 'cancelled', taskId: 't-b', output: null, error: null },
        gate: { status: 'failed', taskId: null, output: null, error: null },
        c: { status: 'skipped', taskId: null, output: null, error: null },
        d: { status: 'failed', taskId: 't-d', output: null, error: null },
      },
    } as unknown as WorkflowRunEntity;
    expect(taskStepsToRerun(run).map((step) => step.id)).toEqual(['b', 'c', 'd']);
  });
});
