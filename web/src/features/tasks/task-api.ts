import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { allAgentsQuery } from '../workflows/workflow-api';
import { type TaskPage, attemptsKey, fetchStarted, withLiveUpdate, withLiveUpdates } from './task-live';

import type { TaskStatus } from './task-status';

export { type TaskPage, applyTaskEvents, attemptsKey, catchUpTasks } from './task-live';
export { type TaskStatus, CANCELLABLE, FINAL, RETRYABLE, STATUSES } from './task-status';

export type Task = components['schemas']['TaskDto'];
/** A task as a list gives it: its input and output may be left out (`inputOmitted`, `outputOmitted`). */
export type TaskListItem = components['schemas']['TaskListItemDto'];
export type Attempt = components['schemas']['TaskAttemptDto'];
export type Agent = components['schemas']['AgentDto'];
export type AgentType = components['schemas']['AgentTypeDto'];

export interface TaskListParams {
  [key: string]: string | number | undefined;
  status?: TaskStatus;
  agentId?: string;
  errorCode?: string;
  tag?: string;
  createdAfter?: string;
  skip: number;
  limit: number;
}

export const taskListQuery = (params: TaskListParams) =>
  queryOptions({
    queryKey: queryKeys.tasks.list(params),
    queryFn: async (): Promise<TaskPage> => {
      const since = fetchStarted();
      const result = await api.GET('/api/v1/tasks', { params: { query: params } });
      if (result.data) {
        const { total, totalCapped } = result.data.meta;
        return { tasks: withLiveUpdates(result.data.data, since), total, totalCapped };
      }
      return { tasks: unwrap<TaskListItem[]>(result), total: 0, totalCapped: false };
    },
    placeholderData: (previous) => previous,
  });

export const taskQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.tasks.detail(id),
    queryFn: async () => {
      const since = fetchStarted();
      return withLiveUpdate(unwrap(await api.GET('/api/v1/tasks/{id}', { params: { path: { id } } })), since);
    },
  });

export const attemptsQuery = (id: string) =>
  queryOptions({
    queryKey: attemptsKey(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/tasks/{id}/attempts', { params: { path: { id } } })),
  });

/**
 * Every agent the user may see, up to the API's page limit (1,000, as many as one user may own): names for the
 * list, options for the filter and the form. The same query as the workflow editor's.
 */
export const agentsQuery = () => queryOptions({ ...allAgentsQuery(), select: (page) => page.items });

export const agentTypesQuery = () =>
  queryOptions({
    queryKey: queryKeys.agentTypes.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/agent-types')),
    staleTime: 5 * 60_000,
  });

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
