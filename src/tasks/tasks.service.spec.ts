import { FakeCancelSignals, FakeEvents, FakeJobs, FakeNewTasks, FakeTaskStore } from '../../test/fakes/tasks';
import { principal } from '../../test/fakes/principals';
import type { Task } from './task';
import { newTask } from './new-task';
import { TaskLifecycle } from './task-lifecycle';
import { TasksService } from './tasks.service';
import {
  AgentUnavailableError,
  StepTaskNotRetryableError,
  TaskNotCancellableError,
  TaskNotFoundError,
  TaskNotRetryableError,
} from './tasks.errors';

function setup(...tasks: Partial<Task>[]) {
  const store = new FakeTaskStore();
  for (const fields of tasks) {
    const task = { ...newTask('alice', { id: 'agent-1' }, { agentId: 'agent-1', input: {} }, {}), ...fields };
    store.tasks.set(task.id, task);
  }
  const jobs = new FakeJobs();
  const events = new FakeEvents();
  const cancellation = new FakeCancelSignals();
  const lifecycle = new TaskLifecycle();
  const finished: string[] = [];
  lifecycle.onFinished(async (task) => void finished.push(`${task.id}:${task.status}`));
  const submission = new FakeNewTasks();
  const service = new TasksService(store, jobs, events, cancellation, lifecycle, submission);
  return { store, jobs, events, cancellation, finished, requeued: submission.created, submission, service };
}

const alice = principal('alice');
const bob = principal('bob');
const admin = principal('root', 'admin');

describe('TasksService', () => {
  it('shows a task to its creator and to admins only', async () => {
    const { service } = setup({ id: 't1' });
    await expect(service.get(alice, 't1')).resolves.toMatchObject({ id: 't1' });
    await expect(service.get(admin, 't1')).resolves.toMatchObject({ id: 't1' });
    await expect(service.get(bob, 't1')).rejects.toThrow(TaskNotFoundError);
    await expect(service.get(alice, 'missing')).rejects.toThrow(TaskNotFoundError);
  });

  it('lists a user’s own tasks, an admin’s every task, as a page', async () => {
    const { service } = setup({ id: 't1' }, { id: 't2', createdBy: 'bob' }, { id: 't3' });
    const own = await service.list(alice, { limit: 10, skip: 0 });
    expect(own.items.map((t) => t.id).sort()).toEqual(['t1', 't3']);
    expect(own.total).toBe(2);
    expect((await service.list(admin, { limit: 1, skip: 0 })).total).toBe(3);
  });

  it('cancels a running task: the worker is told, the job leaves the queue, watchers and runs hear of it', async () => {
    const { service, store, jobs, events, cancellation, finished } = setup({ id: 't1', status: 'running' });
    const audit = { ip: null, userAgent: null, requestId: 'r1', recorded: false as const };
    const task = await service.cancel(alice, 't1', audit);
    expect(task.status).toBe('cancelled');
    expect(cancellation.requested).toEqual(['t1']);
    expect(jobs.removed).toEqual(['t1']);
    expect(events.statusesOf('t1')).toEqual(['cancelled']);
    expect(finished).toEqual(['t1:cancelled']);
    expect(store.audit).toEqual([{ event: expect.objectContaining({ action: 'task.cancel' }), context: audit }]);
  });

  it('does not signal a worker for a task that was only queued', async () => {
    const { service, cancellation } = setup({ id: 't1' });
    await service.cancel(alice, 't1');
    expect(cancellation.requested).toEqual([]);
  });

  it('refuses to cancel a finished task or someone else’s', async () => {
    const { service, finished } = setup({ id: 'done', status: 'succeeded' }, { id: 't2' });
    await expect(service.cancel(alice, 'done')).rejects.toThrow(TaskNotCancellableError);
    await expect(service.cancel(bob, 't2')).rejects.toThrow(TaskNotFoundError);
    expect(finished).toEqual([]);
  });

  it('retries a failed task: the old job is removed before the new run is queued', async () => {
    const { service, jobs, requeued } = setup({ id: 't1', status: 'failed', attempts: 3 }, { id: 't2' });
    const task = await service.retry(alice, 't1');
    expect(task).toMatchObject({ status: 'queued', attemptOffset: 3 });
    expect(jobs.removed).toEqual(['t1']);
    expect(requeued).toEqual(['t1']);
    await expect(service.retry(alice, 't2')).rejects.toThrow(TaskNotRetryableError);
  });

  it('refuses to retry a task of a deleted agent, as it refuses a new task for it, and leaves it as it was', async () => {
    const { service, store, jobs, requeued, submission } = setup({ id: 't1', status: 'failed', attempts: 3 });
    submission.deletedAgents.add('agent-1');
    await expect(service.retry(alice, 't1')).rejects.toThrow(AgentUnavailableError);
    expect(store.tasks.get('t1')).toMatchObject({ status: 'failed', attemptOffset: 0 });
    expect([jobs.removed, requeued]).toEqual([[], []]);
    await expect(service.retry(bob, 't1')).rejects.toThrow(TaskNotFoundError);
  });

  it("refuses to retry a workflow run's step task, pointing to the run's retry, and leaves it as it was", async () => {
    const { service, store, jobs, requeued } = setup({ id: 't1', status: 'cancelled', runId: 'run-1', stepId: 's1' });
    const refused = service.retry(alice, 't1');
    await expect(refused).rejects.toThrow(StepTaskNotRetryableError);
    await expect(refused).rejects.toThrow('POST /api/v1/workflow-runs/run-1/retry');
    expect(store.tasks.get('t1')).toMatchObject({ status: 'cancelled' });
    expect([jobs.removed, requeued]).toEqual([[], []]);
  });
});
