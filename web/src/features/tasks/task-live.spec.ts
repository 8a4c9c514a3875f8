import { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import {
  LIST_REFETCH_SPACING_MS,
  type TaskEvent,
  type TaskPage,
  applyTaskEvents,
  catchUpTasks,
  fetchStarted,
  patch,
  withLiveUpdate,
  withLiveUpdates,
} from './task-live';

/** A task as the detail and the list both give it (the list's flags included). */
type Task = components['schemas']['TaskDto'] & components['schemas']['TaskListItemDto'];

let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

function task(id: string, status: Task['status'] = 'queued'): Task {
  return {
    id,
    agentId: 'agent',
    status,
    progress: 0,
    progressMessage: null,
    attempts: 0,
    attemptOffset: 0,
    maxAttempts: 3,
    startedAt: null,
    finishedAt: null,
    output: null,
    error: null,
  } as unknown as Task;
}

/** A fresh payload each time, as the socket delivers them. */
function event(taskId: string, status: Task['status'], extra: Partial<TaskEvent> = {}) {
  const payload = { taskId, status, progress: 0, progressMessage: null, attempts: 1, error: null, ...extra };
  return { name: 'task.updated', payload };
}

const listKey = queryKeys.tasks.list({ skip: 0, limit: 20 });

describe('applyTaskEvents', () => {
  it('patches the task in every cached list and its detail, once per event', () => {
    const client = new QueryClient();
    const id = newId();
    client.setQueryData<TaskPage>(listKey, { tasks: [task(id)], total: 1, totalCapped: false });
    client.setQueryData<Task>(queryKeys.tasks.detail(id), task(id));
    const running = event(id, 'running', { progress: 40 });
    // Two listeners on one connection hand over the same payload object.
    applyTaskEvents(client, [running]);
    applyTaskEvents(client, [running]);
    applyTaskEvents(client, [event(id, 'succeeded', { progress: 100, output: { result: 2 } })]);

    expect(client.getQueryData<TaskPage>(listKey)?.tasks[0]).toMatchObject({
      status: 'succeeded',
      progress: 100,
      output: { result: 2 },
    });
    expect(client.getQueryData<Task>(queryKeys.tasks.detail(id))).toMatchObject({ status: 'succeeded' });
  });
});

describe('fetched tasks and the events that came meanwhile', () => {
  it('lays an event received after a fetch started over its answer, and only such an event', () => {
    const client = new QueryClient();
    const before = newId();
    const during = newId();
    applyTaskEvents(client, [event(before, 'running')]);
    const since = fetchStarted();
    applyTaskEvents(client, [event(during, 'running'), event(during, 'succeeded', { output: { result: 1 } })]);

    // The answer was read before the task finished: the final event must not be undone by it.
    const answer = withLiveUpdates([task(during, 'running'), task(before, 'succeeded')], since);
    expect(answer[0]).toMatchObject({ status: 'succeeded', output: { result: 1 } });
    expect(answer[1]).toMatchObject({ status: 'succeeded' });
    expect(withLiveUpdate(task(before, 'succeeded'), since).status).toBe('succeeded');
  });
});

describe('list refetches for tasks no list holds yet', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('start at once, then come at most one at a time and no closer than the spacing', async () => {
    const client = new QueryClient();
    client.setQueryData<TaskPage>(listKey, { tasks: [], total: 0, totalCapped: false });
    const finishes: (() => void)[] = [];
    const invalidate = jest
      .spyOn(client, 'invalidateQueries')
      .mockImplementation(() => new Promise<void>((resolve) => finishes.push(resolve)));
    const flush = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };

    applyTaskEvents(client, [event(newId(), 'queued')]);
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(invalidate).toHaveBeenLastCalledWith({ queryKey: ['tasks', 'list'] });

    // Ten frames of new tasks while the first refetch runs: one more refetch covers them all.
    for (let i = 0; i < 10; i++) applyTaskEvents(client, [event(newId(), 'queued')]);
    expect(invalidate).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(100);
    finishes[0]();
    await flush();
    expect(invalidate).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(LIST_REFETCH_SPACING_MS - 100);
    await flush();
    expect(invalidate).toHaveBeenCalledTimes(2);

    // Nothing new meanwhile: no third one.
    finishes[1]();
    await flush();
    jest.advanceTimersByTime(LIST_REFETCH_SPACING_MS * 2);
    await flush();
    expect(invalidate).toHaveBeenCalledTimes(2);

    // Later on, a new task refetches at once again.
    applyTaskEvents(client, [event(newId(), 'queued')]);
    expect(invalidate).toHaveBeenCalledTimes(3);
  });

  it('do not happen for events of tasks a list already holds', () => {
    const client = new QueryClient();
    const id = newId();
    client.setQueryData<TaskPage>(listKey, { tasks: [task(id)], total: 1, totalCapped: false });
    const invalidate = jest.spyOn(client, 'invalidateQueries');
    applyTaskEvents(client, [event(id, 'running')]);
    expect(invalidate).not.toHaveBeenCalledWith({ queryKey: ['tasks', 'list'] });
  });
});

describe('catching up once a subscription is acknowledged', () => {
  it('reads each followed task and its attempts again, and the lists once for all the agents followed', async () => {
    const client = new QueryClient();
    const id = newId();
    // The answer of the task's creation, cached as the page opened: still queued.
    client.setQueryData<Task>(queryKeys.tasks.detail(id), task(id, 'queued'));
    const invalidate = jest.spyOn(client, 'invalidateQueries').mockResolvedValue();

    const read = catchUpTasks(client, [{ taskId: id }]);
    expect(invalidate.mock.calls).toEqual([
      [{ queryKey: queryKeys.tasks.detail(id), exact: true }],
      [{ queryKey: [...queryKeys.tasks.detail(id), 'attempts'], exact: true }],
    ]);
    // Settles once read again: a page paused until then (see useLiveEvents) goes on.
    await expect(read).resolves.toBeUndefined();

    invalidate.mockClear();
    const lists = catchUpTasks(client, [{ agentId: newId() }, { agentId: newId() }, { agentId: newId() }]);
    await Promise.resolve();
    expect(invalidate.mock.calls).toEqual([[{ queryKey: ['tasks', 'list'] }]]);
    await lists;

    invalidate.mockClear();
    await catchUpTasks(client, [{ runId: newId() }]);
    expect(invalidate).not.toHaveBeenCalled();
  });
});

describe('patch', () => {
  it('derives what an event does not carry, as the server sets it: start, end, and a retry’s new run', () => {
    const id = newId();
    const started = patch(task(id), event(id, 'running', { updatedAt: '2026-12-04T10:00:00.000Z' }).payload);
    expect(started).toMatchObject({ startedAt: '2026-12-04T10:00:00.000Z', finishedAt: null });
    const failed = patch(started, event(id, 'failed', { updatedAt: '2026-12-04T10:00:01.000Z' }).payload);
    expect(failed).toMatchObject({ startedAt: '2026-12-04T10:00:00.000Z', finishedAt: '2026-12-04T10:00:01.000Z' });
    // Retried: a new run, counted from the attempts made so far; not ended.
    const retried = patch({ ...failed, attempts: 2 }, event(id, 'queued', { attempts: 2 }).payload);
    expect(retried).toMatchObject({ attemptOffset: 2, finishedAt: null, startedAt: '2026-12-04T10:00:00.000Z' });
    // A second event of the same state moves nothing.
    expect(patch(failed, event(id, 'failed', { updatedAt: '2026-12-04T11:00:00.000Z' }).payload).finishedAt).toBe(
      '2026-12-04T10:00:01.000Z',
    );
  });
});
