import { indexDefinition } from './definition-index';
import type { StepState, StepStatus, WorkflowRunEntity } from './entities/workflow-run.entity';
import type { RunSlice } from './persistence/run-slices';
import { advanceSlice, conclude, letsRunGoOn, renderKey, SliceView } from './step-advance';
import type { WorkflowStep } from './workflow-definition';

describe('renderKey', () => {
  const step = { id: 'a', agentId: '00000000-0000-4000-8000-000000000000', input: {} } as WorkflowStep;

  it('is the same for a context whose keys come back reordered (as jsonb gives them)', () => {
    const written = { input: { task: { status: 'succeeded', id: 'x', output: { result: 21 } } }, steps: {} };
    const readBack = JSON.parse('{"steps":{},"input":{"task":{"id":"x","output":{"result":21},"status":"succeeded"}}}');
    expect(renderKey(step, readBack)).toBe(renderKey(step, written));
  });

  it('differs for another context or another step', () => {
    const context = { input: { n: 1 }, steps: {} };
    expect(renderKey(step, { input: { n: 2 }, steps: {} })).not.toBe(renderKey(step, context));
    expect(renderKey({ ...step, id: 'b' }, context)).not.toBe(renderKey(step, context));
  });
});

describe('a step task cancelled on its own', () => {
  const agentId = '00000000-0000-4000-8000-000000000000';
  const definition = (continueOnFailure?: boolean): WorkflowStep[] => [
    { id: 's1', agentId, input: {}, ...(continueOnFailure ? { continueOnFailure } : {}) },
    { id: 'b', agentId, input: {}, dependsOn: ['s1'] },
    { id: 'c', agentId, input: {} },
  ];
  const runOf = (steps: WorkflowStep[], statuses: Record<string, StepStatus>) =>
    ({
      status: 'running',
      definition: steps,
      steps: Object.fromEntries(
        Object.entries(statuses).map(([id, status]) => [id, { status, taskId: null, output: null, error: null }]),
      ),
      output: null,
      finishedAt: null,
    }) as unknown as WorkflowRunEntity;

  it('fails the run, as a failed step does, unless continueOnFailure excuses it', () => {
    const cancelled = runOf(definition(), { s1: 'cancelled', b: 'skipped', c: 'succeeded' });
    conclude(cancelled, indexDefinition(cancelled.definition));
    expect(cancelled.status).toBe('failed');
    const excused = runOf(definition(true), { s1: 'cancelled', b: 'succeeded', c: 'succeeded' });
    conclude(excused, indexDefinition(excused.definition));
    expect(excused.status).toBe('succeeded');
  });

  it('lets the steps after it run only with continueOnFailure, as a failed step', () => {
    const [plain, excused] = [definition()[0], definition(true)[0]];
    for (const status of ['failed', 'cancelled'] as const) {
      expect(letsRunGoOn(status, plain)).toBe(false);
      expect(letsRunGoOn(status, excused)).toBe(true);
    }
    expect(letsRunGoOn('succeeded', plain)).toBe(true);
    expect(letsRunGoOn('skipped', excused)).toBe(false);
  });

  it('skips the dependents of a cancelled step in a step-by-step advance, and starts them when excused', async () => {
    for (const continueOnFailure of [false, true]) {
      const steps = definition(continueOnFailure);
      const index = indexDefinition(steps);
      const states: Record<string, StepState> = {
        s1: { status: 'running', taskId: 't1', output: null, error: null },
        b: { status: 'pending', taskId: null, output: null, error: null, pendingDeps: 1 },
        c: { status: 'succeeded', taskId: 't3', output: null, error: null },
      };
      const view = new SliceView({ id: 'r', input: {} } as RunSlice, index, async (ids) =>
        Object.fromEntries(ids.map((id) => [id, { ...states[id] }])),
      );
      const started: string[] = [];
      const end = { stepId: 's1', taskId: 't1', status: 'cancelled' as const, output: null, error: null };
      await advanceSlice(view, [end], [], async (step) => {
        started.push(step.id);
        return { taskId: `task-${step.id}` };
      });
      expect(view.states.s1.status).toBe('cancelled');
      expect(view.states.b.status).toBe(continueOnFailure ? 'queued' : 'skipped');
      expect(started).toEqual(continueOnFailure ? ['b'] : []);
    }
  });
});
