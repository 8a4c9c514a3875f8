import { type QueryClient, queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import type { LiveEvent } from '../../app/live-events';

export type Task = components['schemas']['TaskDto'];
export type TaskStatus = Task['status'];
export type Attempt = components['schemas']['TaskAttemptDto'];
export type Agent = components['schemas']['AgentDto'];
export type AgentType = components['schemas']['AgentTypeDto'];

export const STATUSES: TaskStatus[] = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'];
export const CANCELLABLE: TaskStatus[] = ['queued', 'running', 'retrying'];
export const RETRYABLE: TaskStatus[] = ['failed', 'cancelled'];
export const FINAL: TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface TaskPage {
  tasks: Task[];
  total: number;
}

export interface TaskListParams {
  [key: string]: string | number | undefined;
  status?: TaskStatus;
  agentId?: string;
  createdAfter?: string;
  skip: number;
  limit: number;
}

export const taskListQuery = (params: TaskListParams) =>
  queryOptions({
    queryKey: queryKeys.tasks.list(params),
    queryFn: async (): Promise<TaskPage> => {
      const result = await api.GET('/api/v1/tasks', { params: { query: params } });
      if (result.data) return { tasks: result.data.data, total: result.data.meta.total };
      return { tasks: unwrap<Task[]>(result), total: 0 };
    },
    placeholderData: (previous) => previous,
  });

export const taskQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.tasks.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/tasks/{id}', { params: { path: { id } } })),
  });

export const attemptsKey = (id: string) => [...queryKeys.tasks.detail(id), 'attempts'] as const;

export const attemptsQuery = (id: string) =>
  queryOptions({
    queryKey: attemptsKey(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/tasks/{id}/attempts', { params: { path: { id } } })),
  });

/** Every agent the user may see (names for the list, options for the filter and the form). */
export const agentsQuery = () =>
  queryOptions({
    queryKey: queryKeys.agents.list({ limit: 100 }),
    queryFn: async () => unwrap(await api.GET('/api/v1/agents', { params: { query: { limit: 100 } } })),
  });

export const agentTypesQuery = () =>
  queryOptions({
    queryKey: queryKeys.agentTypes.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/agent-types')),
    staleTime: 5 * 60_000,
  });

/** A `task.updated` event's payload (the final one adds `output`). */
interface TaskEvent {
  taskId: string;
  status: TaskStatus;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  error: Task['error'];
  output?: Task['output'];
}

function patch(task: Task, event: TaskEvent): Task {
  return {
    ...task,
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

/**
 * Writes a frame's worth of `task.updated` events into the query cache: the task's detail and every cached
 * list holding it. A task no cached list holds yet (created meanwhile) makes the lists refetch once.
 */
export function applyTaskEvents(queryClient: QueryClient, events: LiveEvent[]): void {
  const updates = taskEvents(events);
  if (!updates.length) return;
  const unseen = new Set(updates.map((u) => u.taskId));
  const statusChanged = new Set<string>();
  for (const update of updates) {
    queryClient.setQueryData<Task>(queryKeys.tasks.detail(update.taskId), (task) => {
      if (!task) return task;
      if (task.status !== update.status || task.attempts !== update.attempts) statusChanged.add(update.taskId);
      return patch(task, update);
    });
  }
  queryClient.setQueriesData<TaskPage>({ queryKey: [...queryKeys.tasks.all, 'list'] }, (page) => {
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
  if (unseen.size) void queryClient.invalidateQueries({ queryKey: [...queryKeys.tasks.all, 'list'] });
}

/** Server-side field errors (`/input/expression`) as rjsf's `extraErrors`, and any left over. */
export function fieldErrors(details: { field?: string; message: string }[]): {
  input: Record<string, unknown>;
  other: string[];
} {
  const input: Record<string, unknown> = {};
  const other: string[] = [];
  for (const { field, message } of details) {
    if (!field || !field.startsWith('/input')) {
      other.push(field ? `${field}: ${message}` : message);
      continue;
    }
    const path = field
      .slice('/input'.length)
      .split('/')
      .filter(Boolean)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node = input;
    for (const segment of path) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
    ((node.__errors ??= []) as string[]).push(message);
  }
  return { input, other };
}
