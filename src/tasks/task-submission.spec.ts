import type { AgentType } from '../agents/agent-type';
import { AgentTypeRegistry } from '../agents/agent-type.registry';
import { ValidationFailedError } from '../common/errors/app.error';
import { SchemaValidator } from '../common/schema/schema-validator';
import { fakeAgent, FakeAgents, FakeEvents, FakeJobs, FakeTaskStore } from '../../test/fakes/tasks';
import { principal } from '../../test/fakes/principals';
import type { Task } from './task';
import { TaskSubmission } from './task-submission';
import { AgentUnavailableError, IdempotencyConflictError } from './tasks.errors';

const echo: AgentType = {
  type: 'echo',
  description: 'echoes its text',
  configSchema: { type: 'object' },
  inputSchema: {
    type: 'object',
    properties: { text: { type: 'string' }, times: { type: 'integer', default: 1 } },
    required: ['text'],
    additionalProperties: false,
  },
  outputSchema: { type: 'object' },
  execute: async () => ({}),
};

const AGENT_1 = '00000000-0000-4000-8000-000000000001';
const AGENT_2 = '00000000-0000-4000-8000-000000000002';

function setup() {
  const store = new FakeTaskStore();
  const agents = new FakeAgents(fakeAgent({ id: AGENT_1 }), fakeAgent({ id: AGENT_2 }));
  const jobs = new FakeJobs();
  const events = new FakeEvents();
  const submission = new TaskSubmission(
    store,
    agents,
    new AgentTypeRegistry([echo]),
    new SchemaValidator(),
    jobs,
    events,
  );
  return { store, agents, jobs, events, submission };
}

const alice = principal('alice');
const audit = { ip: '192.0.2.1', userAgent: 'spec', requestId: 'req-1', recorded: false as const };

describe('TaskSubmission', () => {
  it('stores a valid task with its defaults and audit entry, then queues and announces it', async () => {
    const { store, jobs, events, submission } = setup();
    const { task, replayed } = await submission.submit(
      'alice',
      { agentId: AGENT_1, input: { text: 'hi' } },
      undefined,
      audit,
    );
    expect(replayed).toBe(false);
    expect(store.tasks.get(task.id)).toMatchObject({
      status: 'queued',
      createdBy: 'alice',
      input: { text: 'hi', times: 1 },
      priority: 5,
      maxAttempts: 3,
      attempts: 0,
    });
    expect(store.audit).toEqual([
      {
        event: expect.objectContaining({ action: 'task.create', resourceId: task.id, details: { agentId: AGENT_1 } }),
        context: audit,
      },
    ]);
    expect(jobs.queued).toEqual([task.id]);
    expect(events.statusesOf(task.id)).toEqual(['queued']);
  });

  it('refuses input that does not match the agent type, storing nothing', async () => {
    const { store, jobs, submission } = setup();
    const refused = submission.submit('alice', { agentId: AGENT_1, input: { text: 3 } });
    await expect(refused).rejects.toThrow(ValidationFailedError);
    await expect(refused).rejects.toMatchObject({ details: [expect.objectContaining({ field: '/input/text' })] });
    expect(store.tasks.size).toBe(0);
    expect(jobs.queued).toEqual([]);
  });

  it('names an unknown agent as a field problem and a deleted one as unavailable', async () => {
    const { agents, submission } = setup();
    await expect(submission.submit('alice', { agentId: 'nobody', input: { text: 'x' } })).rejects.toMatchObject({
      details: [{ field: '/agentId', message: 'no agent with this id' }],
    });
    agents.deleted.add(AGENT_2);
    await expect(submission.submit('alice', { agentId: AGENT_2, input: { text: 'x' } })).rejects.toThrow(
      AgentUnavailableError,
    );
  });

  it('replays the task of an idempotency key sent again with the same body, and refuses another body', async () => {
    const { store, jobs, submission } = setup();
    const dto = { agentId: AGENT_1, input: { text: 'once' } };
    const first = await submission.submit('alice', dto, 'key-1');
    const again = await submission.submit('alice', { ...dto }, 'key-1');
    expect(again).toEqual({ task: expect.objectContaining({ id: first.task.id }), replayed: true });
    expect(store.tasks.size).toBe(1);
    expect(jobs.queued).toEqual([first.task.id]);
    await expect(submission.submit('alice', { ...dto, input: { text: 'twice' } }, 'key-1')).rejects.toThrow(
      IdempotencyConflictError,
    );
    // Another user's key is their own.
    expect((await submission.submit('bob', dto, 'key-1')).replayed).toBe(false);
  });

  it('keeps a stored task when the queue is down: it is announced, and left for the reconciler', async () => {
    const { store, jobs, events, submission } = setup();
    jobs.failing = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const { task } = await submission.submit('alice', { agentId: AGENT_1, input: { text: 'hi' } });
    expect(store.tasks.has(task.id)).toBe(true);
    expect(events.statusesOf(task.id)).toEqual(['queued']);
  });

  it("announces a batch's tasks before queueing any, once the announcement has left (the end of the turn)", async () => {
    const { jobs, events, submission } = setup();
    // The bus sends what was published at the end of the turn (EventBus): as here, on setImmediate.
    let sent = 0;
    const publish = events.publish.bind(events);
    events.publish = (event) => {
      publish(event);
      setImmediate(() => (sent += 1));
    };
    const sentWhenQueued: number[] = [];
    const enqueueMany = jobs.enqueueMany.bind(jobs);
    jobs.enqueueMany = (tasks) => {
      sentWhenQueued.push(sent);
      return enqueueMany(tasks);
    };
    const batch = Array.from({ length: 250 }, (_, i) => ({ agentId: AGENT_1, input: { text: `${i}` } }));
    await submission.submitBatch(alice, batch);
    // Three chunks queued, each after all 250 `queued` events had left: none can start before its event.
    expect(sentWhenQueued).toEqual([250, 250, 250]);
  });

  it('stores a batch all or nothing, reading each agent once, with one audit entry', async () => {
    const { store, agents, jobs, submission } = setup();
    const good = Array.from({ length: 250 }, (_, i) => ({
      agentId: i % 2 ? AGENT_2 : AGENT_1,
      input: { text: `${i}` },
    }));
    const { tasks, replayed } = await submission.submitBatch(alice, good, undefined, audit);
    expect(tasks).toHaveLength(250);
    expect(replayed).toBe(false);
    expect(agents.reads).toBe(2);
    expect(jobs.queued).toHaveLength(250);
    expect(store.audit).toEqual([
      {
        event: expect.objectContaining({
          action: 'task.batch_create',
          details: expect.objectContaining({ count: 250 }),
        }),
        context: audit,
      },
    ]);

    const bad = [...good.slice(0, 3), { agentId: AGENT_1, input: {} }, 'not a task'];
    await expect(submission.submitBatch(alice, bad)).rejects.toMatchObject({
      details: [expect.objectContaining({ field: '/tasks/4' })],
    });
    const invalidInput = [...good.slice(0, 3), { agentId: AGENT_1, input: {} }];
    await expect(submission.submitBatch(alice, invalidInput)).rejects.toMatchObject({
      details: [{ field: '/tasks/3/input/text', message: 'is required' }],
    });
    expect(store.tasks.size).toBe(250);
  });

  it('stores a batch sent with a key once, returns its tasks in order when it comes again, refuses another', async () => {
    const { store, jobs, submission } = setup();
    const batch = Array.from({ length: 3 }, (_, i) => ({ agentId: AGENT_1, input: { text: `${i}` } }));
    const first = await submission.submitBatch(alice, batch, 'k-1');
    const again = await submission.submitBatch(alice, structuredClone(batch), 'k-1');
    expect(again.replayed).toBe(true);
    expect(again.tasks.map((t) => t.id)).toEqual(first.tasks.map((t) => t.id));
    expect(store.tasks.size).toBe(3);
    expect(jobs.queued).toHaveLength(3);
    await expect(submission.submitBatch(alice, batch.slice(0, 2), 'k-1')).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    await expect(submission.submitBatch(alice, [...batch, batch[0]], 'k-1')).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    const other = batch.map((task) => ({ ...task, priority: 1 }));
    await expect(submission.submitBatch(alice, other, 'k-1')).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(store.tasks.size).toBe(3);
    expect((await submission.submitBatch(alice, batch, 'k-2')).replayed).toBe(false);
    expect(store.tasks.size).toBe(6);
  });

  it('stores a step started alone with its own system audit entry', async () => {
    const { store, submission } = setup();
    const prepared = await submission.prepare('alice', { agentId: AGENT_1, input: { text: 'step' } });
    if (Array.isArray(prepared)) throw new Error('expected a task');
    Object.assign(prepared, { runId: 'run-1', stepId: 'a' });
    await submission.insertSteps({} as never, [prepared]);
    expect(store.audit).toEqual([
      {
        event: expect.objectContaining({
          action: 'task.create',
          actorType: 'system',
          details: expect.objectContaining({ runId: 'run-1', stepId: 'a', createdBy: 'alice' }),
        }),
      },
    ]);
  });

  it('stores steps started together with one system audit entry naming each task and step', async () => {
    const { store, submission } = setup();
    const steps: Task[] = [];
    for (const stepId of ['b1', 'b2', 'b3']) {
      const prepared = await submission.prepare('alice', { agentId: AGENT_1, input: { text: stepId } });
      if (Array.isArray(prepared)) throw new Error('expected a task');
      steps.push(Object.assign(prepared, { runId: 'run-1', stepId }));
    }
    await submission.insertSteps({} as never, steps);
    expect(store.tasks.size).toBe(3);
    expect(store.audit).toEqual([
      {
        event: {
          action: 'task.batch_create',
          outcome: 'success',
          resourceType: 'task',
          actorType: 'system',
          actorId: null,
          details: {
            count: 3,
            ids: steps.map((t) => t.id),
            runId: 'run-1',
            stepIds: ['b1', 'b2', 'b3'],
            agentIds: [AGENT_1],
            createdBy: 'alice',
          },
        },
      },
    ]);
  });
});
