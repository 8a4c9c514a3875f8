import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import type { Subscription } from '../../app/live-subjects';
import { FINAL, type TaskStatus } from './task-status';

type Task = components['schemas']['TaskDto'];
type TaskListItem = components['schemas']['TaskListItemDto'];
/** What an event changes, of a task or of a list's item (whose input and output the list may leave out). */
type Patchable = Pick<
  Task,
  | 'id'
  | 'status'
  | 'progress'
  | 'progressMessage'
  | 'attempts'
  | 'attemptOffset'
  | 'error'
  | 'output'
  | 'startedAt'
  | 'finishedAt'
>;
/** What useLiveEvents hands over (app/live-events.ts's LiveEvent). */
interface LiveEvent {
  name: string;
  payload: Record<string, unknown>;
}

export interface TaskPage {
  tasks: TaskListItem[];
  total: number;
  /** The server's count stopped at `total`: more tasks match. */
  totalCapped: boolean;
}

export const attemptsKey = (id: string) => [...queryKeys.tasks.detail(id), 'attempts'] as const;

const LISTS = [...queryKeys.tasks.all, 'list'] as const;

/**
 * The least time between the starts of two list refetches made because of live events: while tasks are
 * created faster than that, the lists are fetched at most twice a second instead of once per animation frame
 * (each fetch of a large table's first page costs the server a sort), and still show a new task within a
 * second.
 */
export const LIST_REFETCH_SPACING_MS = 500;

/** How long a received event is kept, to lay over the answer of a fetch that started before it came. */
const KEEP_EVENTS_MS = 60_000;

/** A `task.updated` event's payload (the final one adds `output`). */
export interface TaskEvent {
  taskId: string;
  status: TaskStatus;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  error: Task['error'];
  output?: Task['output'];
  /** When the change was written. */
  updatedAt?: string;
}

/**
 * The task with the event laid over it. What the event does not carry is derived as the server sets it: a
 * retry starts a new run (its attempts counted from those made so far) and clears the end; a first start and an
 * end are at the event's time (the stored times come with the next read).
 */
export function patch<T extends Patchable>(task: T, event: TaskEvent): T {
  const retried = event.status === 'queued' && FINAL.includes(task.status);
  const at = event.updatedAt ?? new Date().toISOString();
  return {
    ...task,
    ...(retried ? { attemptOffset: event.attempts, finishedAt: null } : {}),
    ...(event.status === 'running' && !task.startedAt ? { startedAt: at } : {}),
    ...(FINAL.includes(event.status) && !FINAL.includes(task.status) ? { finishedAt: at } : {}),
    status: event.status,
    progress: event.progress,
    progressMessage: event.progressMessage,
    attempts: event.attempts,
    error: event.error,
    ...('output' in event ? { output: event.output ?? null } : {}),
  };
}

/**
 * Every listener on the one connection receives every event of its rooms (the list subscribes once per
 * agent): each event, the same object for all of them, is written into the cache once.
 */
const applied = new WeakSet<object>();

function taskEvents(events: LiveEvent[]): TaskEvent[] {
  const fresh = events.filter(
    (e) => e.name === 'task.updated' && typeof e.payload.taskId === 'string' && !applied.has(e.payload),
  );
  for (const e of fresh) applied.add(e.payload);
  return fresh.map((e) => e.payload as unknown as TaskEvent);
}

/** The latest event of each task received lately, and when (oldest first). */
const recent = new Map<string, { event: TaskEvent; at: number }>();

function remember(updates: TaskEvent[]): void {
  const now = performance.now();
  for (const event of updates) {
    recent.delete(event.taskId);
    recent.set(event.taskId, { event, at: now });
  }
  for (const [taskId, { at }] of recent) {
    if (at >= now - KEEP_EVENTS_MS) break;
    recent.delete(taskId);
  }
}

/** Call before a fetch of tasks: its answer gets the events received from then on laid over it. */
export function fetchStarted(): number {
  return performance.now();
}

/**
 * A fetched task with the latest event received since its fetch started. An answer read before an event
 * was published but arriving after it would otherwise put back the older state, and no later event would
 * correct it (a final state has none).
 */
export function withLiveUpdate<T extends Patchable>(task: T, since: number): T {
  const latest = recent.get(task.id);
  return latest && latest.at >= since ? patch(task, latest.event) : task;
}

export function withLiveUpdates<T extends Patchable>(tasks: T[], since: number): T[] {
  return tasks.map((task) => withLiveUpdate(task, since));
}

const listRefetches = new WeakMap<QueryClient, { again: boolean; done: Promise<void> }>();

/**
 * Refetches the task lists now, or, when a refetch is already under way, once more after it (and at least
 * {@link LIST_REFETCH_SPACING_MS} after its start): one more refetch covers every event of meanwhile. Resolves
 * once the lists are read (the refetch after it included).
 */
export function refetchLists(queryClient: QueryClient): Promise<void> {
  const running = listRefetches.get(queryClient);
  if (running) {
    running.again = true;
    return running.done;
  }
  const state = { again: true, done: Promise.resolve() };
  listRefetches.set(queryClient, state);
  state.done = (async () => {
    try {
      while (state.again) {
        state.again = false;
        const started = performance.now();
        await queryClient.invalidateQueries({ queryKey: LISTS });
        const rest = LIST_REFETCH_SPACING_MS - (performance.now() - started);
        if (state.again && rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    } finally {
      listRefetches.delete(queryClient);
    }
  })();
  return state.done;
}

/**
 * Writes a frame's worth of `task.updated` events into the query cache: the task's detail and every cached
 * list holding it. A task no cached list holds yet (created meanwhile) makes the lists refetch (see
 * {@link refetchLists}).
 */
export function applyTaskEvents(queryClient: QueryClient, events: LiveEvent[]): void {
  const updates = taskEvents(events);
  if (!updates.length) return;
  remember(updates);
  const unseen = new Set(updates.map((u) => u.taskId));
  const statusChanged = new Set<string>();
  for (const update of updates) {
    queryClient.setQueryData<Task>(queryKeys.tasks.detail(update.taskId), (task) => {
      if (!task) return task;
      if (task.status !== update.status || task.attempts !== update.attempts) statusChanged.add(update.taskId);
      return patch(task, update);
    });
  }
  queryClient.setQueriesData<TaskPage>({ queryKey: LISTS }, (page) => {
    if (!page) return page;
    let changed = false;
    const tasks = page.tasks.map((task) => {
      let next = task;
      for (const update of updates) {
        if (update.taskId !== task.id) continue;
        unseen.delete(task.id);
        next = patch(next, update);
        changed = true;
      }
      return next;
    });
    return changed ? { ...page, tasks } : page;
  });
  for (const id of statusChanged) void queryClient.invalidateQueries({ queryKey: attemptsKey(id) });
  if (unseen.size) void refetchLists(queryClient);
}

/**
 * Once subscriptions are acknowledged: reads again what they cover, as an event published before a room was
 * joined (the last of a task that finished at once) came to no one. Each followed task's detail and attempts
 * are read again (the cached ones only), and the lists once for all the agents followed.
 */
export async function catchUpTasks(queryClient: QueryClient, subjects: readonly Subscription[]): Promise<void> {
  const reads: Promise<void>[] = [];
  for (const subject of subjects) {
    if (!('taskId' in subject)) continue;
    const { taskId } = subject;
    reads.push(queryClient.invalidateQueries({ queryKey: queryKeys.tasks.detail(taskId), exact: true }));
    reads.push(queryClient.invalidateQueries({ queryKey: attemptsKey(taskId), exact: true }));
  }
  if (subjects.some((subject) => 'agentId' in subject)) reads.push(refetchLists(queryClient));
  await Promise.all(reads);
}
