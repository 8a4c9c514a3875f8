import type { AgentType } from '../../src/agents/agent-type';
import { AgentTypeRegistry } from '../../src/agents/agent-type.registry';
import { SchemaValidator } from '../../src/common/schema/schema-validator';
import type { Task } from '../../src/tasks/task';
import { TaskLifecycle } from '../../src/tasks/task-lifecycle';
import { TaskSubmission } from '../../src/tasks/task-submission';
import { TasksService } from '../../src/tasks/tasks.service';
import { StepDecisions } from '../../src/workflows/step-decisions';
import type { TaskStep, WorkflowStep } from '../../src/workflows/workflow-definition';
import { RunCancellation } from '../../src/workflows/run-cancellation';
import { WorkflowEngine } from '../../src/workflows/workflow-engine';
import { fakeAgent, FakeAgents, FakeCancelSignals, FakeEvents, FakeJobs, FakeTaskStore } from './tasks';
import { FakeApprovalMetrics, fakeRun, FakeRunEvents, FakeRunStore, FakeWaitJobs, InlineTemplates } from './workflows';

export const AGENT = '00000000-0000-4000-8000-000000000001';

const echo: AgentType = {
  type: 'echo',
  description: 'echoes its text',
  configSchema: { type: 'object' },
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  outputSchema: { type: 'object' },
  execute: async () => ({}),
};

/**
 * A workflow engine over fakes, with one running run (`run-1`) of `definition`: tasks are stored but never
 * run; `finish` ends a step's task as a worker would. `decisions` resolves its waiting steps.
 */
export function workflowSetup(definition: WorkflowStep[], input: unknown = {}) {
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
  const waitJobs = new FakeWaitJobs();
  const engine = new WorkflowEngine(
    runs,
    service,
    submission,
    lifecycle,
    runEvents,
    new InlineTemplates(),
    { concluded: async () => undefined },
    waitJobs,
  );
  engine.onModuleInit();
  const runCancellation = new RunCancellation(
    runs,
    service,
    tasks,
    runEvents,
    { concluded: async () => undefined },
    waitJobs,
  );
  const metrics = new FakeApprovalMetrics();
  // The inbox reads SQL (test/waiting-approvals.e2e-spec.ts); these specs decide steps and list none.
  const decisions = new StepDecisions(runs, engine, runEvents, metrics, {
    page: () => Promise.reject(new Error('the unit fakes list no waiting approvals')),
  });
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
    runCancellation,
    decisions,
    metrics,
    tasks,
    jobs,
    runs,
    runEvents,
    waitJobs,
    stepTask,
    finish,
    run: () => runs.runs.get('run-1')!,
    advance: () => engine.advance('run-1'),
  };
}

/** A task step on the echo agent, its input `{text: id}` unless `fields` say otherwise. */
export const step = (id: string, fields: Partial<TaskStep> = {}): WorkflowStep => ({
  id,
  agentId: AGENT,
  input: { text: id },
  ...fields,
});
