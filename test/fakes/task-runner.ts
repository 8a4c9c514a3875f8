import { AgentExecutionError, type AgentType, type ExecutionContext } from '../../src/agents/agent-type';
import { AgentTypeRegistry } from '../../src/agents/agent-type.registry';
import { SchemaValidator } from '../../src/common/schema/schema-validator';
import type { Task } from '../../src/tasks/task';
import { TaskLifecycle } from '../../src/tasks/task-lifecycle';
import { type TaskJob, TaskRunner } from '../../src/tasks/task-runner';
import { newTask } from '../../src/tasks/new-task';
import {
  fakeAgent,
  FakeAgents,
  FakeAgentStates,
  FakeAttemptStore,
  FakeCancelSignals,
  FakeCheckpoints,
  FakeEvents,
  FakeFlowGate,
  FakeMetrics,
  FakeSlots,
} from './tasks';

export type Execute = (context: ExecutionContext) => Promise<unknown>;

export const AGENT = 'agent-1';

/**
 * A {@link TaskRunner} over fakes, with one task of one agent whose type runs what the test says (`executes`), and
 * the job BullMQ would hand it (`run`).
 */
export function runnerSetup(
  fields: Partial<Task> = {},
  agentFields: Parameters<typeof fakeAgent>[0] = {},
  jobFields: Partial<TaskJob['data']> = {},
) {
  let execute: Execute = async () => ({ answer: 42 });
  const scripted: AgentType = {
    type: 'scripted',
    description: 'does what the spec says',
    configSchema: { type: 'object' },
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object', required: ['answer'] },
    execute: (context) => execute(context),
  };
  const task = { ...newTask('alice', { id: AGENT }, { agentId: AGENT, input: {} }, {}), ...fields };
  const agents = new FakeAgents(fakeAgent({ id: AGENT, type: 'scripted', ...agentFields }));
  const state = new FakeAttemptStore(task);
  const events = new FakeEvents();
  const slots = new FakeSlots();
  const cancellation = new FakeCancelSignals();
  const metrics = new FakeMetrics();
  const lifecycle = new TaskLifecycle();
  const flow = new FakeFlowGate();
  const finished: string[] = [];
  lifecycle.onFinished(async (t) => void finished.push(t.status));
  const runner = new TaskRunner(
    agents,
    new AgentTypeRegistry([scripted]),
    new SchemaValidator(),
    slots,
    cancellation,
    events,
    new FakeAgentStates(),
    lifecycle,
    metrics,
    state,
    new FakeCheckpoints(),
    flow,
  );
  const delays: number[] = [];
  const movedToWait: (string | undefined)[] = [];
  let moveRefused: Error | undefined;
  const job: TaskJob = {
    data: { taskId: task.id, agentId: AGENT, timeoutMs: task.timeoutMs, ...jobFields },
    opts: {},
    moveToDelayed: async (timestamp: number) => void delays.push(timestamp - Date.now()),
    moveToWait: async (token?: string) => {
      if (moveRefused) throw moveRefused;
      return movedToWait.push(token);
    },
  };
  return {
    task,
    state,
    events,
    slots,
    cancellation,
    metrics,
    finished,
    lifecycle,
    delays,
    movedToWait,
    agents,
    flow,
    run: () => runner.run(job, 'token'),
    refuseMoves: (err: Error) => (moveRefused = err),
    stored: () => state.tasks.get(task.id)!,
    executes: (fn: Execute) => (execute = fn),
  };
}

/** An executor that runs until its signal aborts it, then fails as cancelled. */
export const abortable: Execute = (context) =>
  new Promise((_, reject) =>
    context.signal.addEventListener('abort', () => reject(new AgentExecutionError('CANCELLED', 'stopped', true))),
  );
