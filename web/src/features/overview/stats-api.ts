import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';

export type Stats = components['schemas']['StatsDto'];
export type OpenBreaker = components['schemas']['OpenBreakerDto'];

/** How often the Overview asks again while the tab is visible (TanStack Query pauses it while hidden). */
export const REFRESH_MS = 10_000;

/** `GET /api/v1/stats`, refreshed every 10 s while the tab is visible. */
export const statsQuery = () =>
  queryOptions({
    queryKey: queryKeys.stats(),
    queryFn: async () => unwrap(await api.GET('/api/v1/stats')),
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
    staleTime: REFRESH_MS / 2,
  });

/**
 * Whether the caller has any task at all (the stats only cover the last day): one task of the list, in the
 * shape every cached task list has (live task events patch them all).
 */
export const anyTaskQuery = (enabled: boolean) =>
  queryOptions({
    queryKey: queryKeys.tasks.list({ limit: 1, skip: 0, purpose: 'overview' }),
    queryFn: async () => {
      const result = await api.GET('/api/v1/tasks', { params: { query: { limit: 1, skip: 0 } } });
      if (result.data) return { tasks: result.data.data, total: result.data.meta.total };
      return { tasks: unwrap(result), total: 0 };
    },
    enabled,
  });

export const agentQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.agents.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/agents/{id}', { params: { path: { id } } })),
    staleTime: 60_000,
  });

/**
 * `GET /api/v1/system/info` (admins: `system:read`), for the workers connected to the task queue; refreshed as
 * the stats are.
 */
export const systemInfoQuery = (enabled: boolean) =>
  queryOptions({
    queryKey: queryKeys.system.info,
    queryFn: async () => unwrap(await api.GET('/api/v1/system/info')),
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
    staleTime: REFRESH_MS / 2,
    enabled,
  });
