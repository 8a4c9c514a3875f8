import type { AgentType } from '../agents/agent-type';
import { AgentTypeRegistry } from '../agents/agent-type.registry';
import { SchemaValidator } from '../common/schema/schema-validator';
import { fakeAgent, FakeAgents, FakeCancelSignals, FakeEvents, FakeJobs, FakeTaskStore } from '../../test/fakes/tasks';
import { fakeRun, FakeRunEvents, FakeRunStore, InlineTemplates } from '../../test/fakes/workflows';
import type { Task } from '../tasks/task';
import { TaskLifecycle } from '../tasks/task-lifecycle';
import { TaskSubmission } from '../tasks/task-submission';
import { TasksService } from '../tasks/tasks.service';
import type { WorkflowStep } from './workflow-definition';
import { WorkflowEngine } from './workflow-engine';

const AGENT = '00000000-0000-4000-8000-000000000001';

const echo: AgentType = {
  type: 'echo',
  description: 'echoes its text',
  configSchema: { type: 'object' },
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  outputSchema: { type: 'object' },
  execute: async () => ({}),
};

function setup(definition: WorkflowStep[], input: unknown = {}) {
  const tasks = new FakeTaskStore();
  const jobs = new FakeJobs();
  const taskEvents = new FakeEvents();
  const cancellation = new FakeCancelSignals();
  const lifecycle = new TaskLifecycle();
  const submission = new TaskSubmission(
    tasks,
    new FakeAgents(fakeAgent({ id: AGENT })),
    new AgentTypeRegistry([echo]),
    new SchemaValidator(),
    jobs,
    taskEvents,
  );
  const service = new TasksService(tasks, jobs, taskEvents, cancellation, lifecycle, submission);
  const runs = new FakeRunStore(fakeRun(definition, { input }));
  const runEvents = new FakeRunEvents();
  const engine = new WorkflowEngine(runs, service, submission, lifecycle, runEvents, new InlineTemplates(), {
    concluded: async () => undefined,
  });
  engine.onModuleInit();
  const stepTask = (stepId: string): Task | undefined =>
    [...tasks.tasks.values()].find((t) => t.runId === 'run-1' && t.stepId === stepId);
  /** The step's task ends as a worker would end it, and tells the run. */
  const finish = async (stepId: string, status: 'succeeded' | 'failed' | 'expired', output: unknown = null) => {
    const task = stepTask(stepId)!;
    const errors = { failed: { code: 'BOOM', message: 'it broke' }, expired: { code: 'EXPIRED', message: 'too late' } };
    Object.assign(task, { status, output, error: status === 'succeeded' ? null : errors[status] });
    await lifecycle.finished(structuredClone(task));
  };
  return {
    engine,
    tasks,
    jobs,
    runs,
    runEvents,
    stepTask,
    finish,
    run: () => runs.runs.get('run-1')!,
    advance: () => engine.advance('run-1'),
  };
}

const step = (id: string, fields: Partial<WorkflowStep> = {}): WorkflowStep => ({
  id,
  agentId: AGENT,
  input: { text: id },
  ...fields,
});

describe('WorkflowEngine', () => {
  it('runs a chain, rendering each step’s input from the run and the steps before it', async () => {
    const w = setup(
      [
        step('a', { input: { text: '{{ input.name }}' } }),
        step('b', { dependsOn: ['a'], input: { text: "{{ steps.a.output.text & '!' }}" } }),
      ],
      { name: 'hi' },
    );
    await w.advance();
    expect(w.run().steps.a).toMatchObject({ status: 'queued', taskId: w.stepTask('a')!.id });
    expect(w.stepTask('a')).toMatchObject({
      input: { text: 'hi' },
      createdBy: 'alice',
      metadata: { runId: 'run-1', stepId: 'a' },
    });
    expect(w.stepTask('b')).toBeUndefined();
    expect(w.jobs.queued).toEqual([w.stepTask('a')!.id]);
    expect(w.tasks.audit.map((e) => e.event)).toEqual([
      expect.objectContaining({ action: 'task.create', actorType: 'system', resourceId: w.stepTask('a')!.id }),
    ]);

    await w.finish('a', 'succeeded', { text: 'hello' });
    expect(w.stepTask('b')!.input).toEqual({ text: 'hello!' });
    expect(w.run().steps.a).toMatchObject({ status: 'succeeded', output: { text: 'hello' } });

    await w.finish('b', 'succeeded', { text: 'done' });
    expect(w.run()).toMatchObject({ status: 'succeeded', output: { b: { text: 'done' } } });
    expect(w.run().finishedAt).not.toBeNull();
    expect(w.runEvents.published.at(-1)).toEqual({ runId: 'run-1', status: 'succeeded' });
  });

  it('starts independent steps together and joins them', async () => {
    const w = setup([step('a'), step('b'), step('c', { dependsOn: ['a', 'b'] })]);
    await w.advance();
    expect(w.jobs.queued).toHaveLength(2);
    await w.finish('a', 'succeeded', {});
    expect(w.stepTask('c')).toBeUndefined();
    await w.finish('b', 'succeeded', {});
    expect(w.stepTask('c')).toBeDefined();
  });

  it('skips what depends on a failed step and fails the run, unless the failure is allowed', async () => {
    const strict = setup([step('a'), step('b', { dependsOn: ['a'] })]);
    await strict.advance();
    await strict.finish('a', 'failed');
    expect(strict.run().steps.b.status).toBe('skipped');
    expect(strict.run()).toMatchObject({ status: 'failed' });
    expect(strict.run().steps.a.error).toEqual({ code: 'BOOM', message: 'it broke' });

    const lenient = setup([step('a', { continueOnFailure: true }), step('b', { dependsOn: ['a'] })]);
    await lenient.advance();
    await lenient.finish('a', 'failed');
    await lenient.finish('b', 'succeeded', { ok: true });
    expect(lenient.run()).toMatchObject({ status: 'succeeded', output: { b: { ok: true } } });
  });

  it('counts a step whose task expired as failed', async () => {
    const w = setup([step('a'), step('b', { dependsOn: ['a'] })]);
    await w.advance();
    await w.finish('a', 'expired');
    expect(w.run().steps.a).toMatchObject({ status: 'failed', error: { code: 'EXPIRED' } });
    expect(w.run().steps.b.status).toBe('skipped');
    expect(w.run().status).toBe('failed');
  });

  it('skips a step whose condition is false', async () => {
    const w = setup([
      step('a'),
      step('b', { dependsOn: ['a'], when: { field: 'steps.a.output.go', op: 'eq', value: true } }),
    ]);
    await w.advance();
    await w.finish('a', 'succeeded', { go: false });
    expect(w.run().steps.b.status).toBe('skipped');
    expect(w.run().status).toBe('succeeded');
  });

  it('fails a step whose rendered input the agent refuses, or whose template fails, without a task', async () => {
    const w = setup(
      [step('a', { input: { text: '{{ input.count }}' } }), step('b', { input: { text: '{{ $error("no") }}' } })],
      { count: 3 },
    );
    await w.advance();
    expect(w.run().steps.a).toMatchObject({ status: 'failed', taskId: null, error: { code: 'INVALID_INPUT' } });
    expect(w.run().steps.b).toMatchObject({ status: 'failed', taskId: null, error: { code: 'TEMPLATE_ERROR' } });
    expect(w.tasks.tasks.size).toBe(0);
    expect(w.run().status).toBe('failed');
  });

  it('never starts a step twice, however often the run is advanced', async () => {
    const w = setup([step('a'), step('b', { dependsOn: ['a'] })]);
    await Promise.all([w.advance(), w.advance(), w.advance()]);
    await w.advance();
    expect(w.tasks.tasks.size).toBe(1);
  });

  it('cancels a run and its open steps’ tasks, each audited for the caller', async () => {
    const w = setup([step('a'), step('b'), step('c', { dependsOn: ['a'] })]);
    await w.advance();
    await w.finish('b', 'succeeded', {});
    const audit = { ip: '192.0.2.9', userAgent: null, requestId: 'req-9', recorded: false as const };
    const run = await w.engine.cancel(structuredClone(w.run()), audit);
    expect(run.status).toBe('cancelled');
    expect(w.run().steps).toMatchObject({
      a: { status: 'cancelled' },
      b: { status: 'succeeded' },
      c: { status: 'cancelled' },
    });
    expect(w.stepTask('a')!.status).toBe('cancelled');
    expect(w.runs.audit).toEqual([expect.objectContaining({ action: 'workflow_run.cancel', resourceId: 'run-1' })]);
    expect(w.tasks.audit.filter((e) => e.event.action === 'task.cancel')).toEqual([
      { event: expect.objectContaining({ resourceId: w.stepTask('a')!.id }), context: audit },
    ]);
  });

  it('sweeps running runs forward', async () => {
    const w = setup([step('a')]);
    await expect(w.engine.sweep()).resolves.toBe(1);
    expect(w.stepTask('a')).toBeDefined();
  });
});
