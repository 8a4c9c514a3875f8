import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import type { CreateScheduleBody, Schedule, UpdateScheduleBody } from './schedule-helpers';

export interface Page<T> {
  items: T[];
  total: number;
}

export const scheduleListQuery = (params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.schedules.list(params),
    queryFn: async (): Promise<Page<Schedule>> => {
      const result = await api.GET('/api/v1/schedules', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
    // Next fire times move on by themselves: read them again while the page is open.
    refetchInterval: 30_000,
  });

export async function createSchedule(body: CreateScheduleBody): Promise<Schedule> {
  return unwrap(await api.POST('/api/v1/schedules', { body }));
}

export async function updateSchedule(id: string, body: UpdateScheduleBody): Promise<Schedule> {
  return unwrap(await api.PATCH('/api/v1/schedules/{id}', { params: { path: { id } }, body }));
}

export async function deleteSchedule(id: string): Promise<void> {
  const result = await api.DELETE('/api/v1/schedules/{id}', { params: { path: { id } } });
  if (!result.response.ok) throw toApiError(result.error, result.response);
}

/** Why the signed-in user may not create, change, pause or delete schedules, or null when they may. */
export function useSchedulesWriteBlocked(): string | null {
  const me = useMe();
  return me.permissions.includes('schedules:write') ? null : 'Your role may not do this (needs schedules:write)';
}
