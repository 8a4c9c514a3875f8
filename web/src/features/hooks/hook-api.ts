import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import type { CreateHookBody, CreatedHook, Hook, UpdateHookBody } from './hook-helpers';

export const hookListQuery = (params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.hooks.list(params),
    queryFn: async (): Promise<{ items: Hook[]; total: number }> => {
      const result = await api.GET('/api/v1/hooks', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
  });

export async function createHook(body: CreateHookBody): Promise<CreatedHook> {
  return unwrap(await api.POST('/api/v1/hooks', { body }));
}

export async function updateHook(id: string, body: UpdateHookBody): Promise<Hook> {
  return unwrap(await api.PATCH('/api/v1/hooks/{id}', { params: { path: { id } }, body }));
}

export async function deleteHook(id: string): Promise<void> {
  const result = await api.DELETE('/api/v1/hooks/{id}', { params: { path: { id } } });
  if (!result.response.ok) throw toApiError(result.error, result.response);
}

/** Why the signed-in user may not create, change or delete hooks, or null when they may. */
export function useHooksWriteBlocked(): string | null {
  const me = useMe();
  return me.permissions.includes('hooks:write') ? null : 'Your role may not do this (needs hooks:write)';
}
