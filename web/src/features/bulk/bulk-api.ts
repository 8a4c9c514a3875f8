import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { BULK_REFRESH_MS, type BulkAction, type BulkOperation, type BulkTarget, isRunning } from './bulk-helpers';

export const bulkListQuery = (params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.bulk.list(params),
    queryFn: async () => {
      const result = await api.GET('/api/v1/bulk-operations', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
    // Read again only while one of the operations shown is still going.
    refetchInterval: (query) => (query.state.data?.items.some(isRunning) ? BULK_REFRESH_MS : false),
  });

export const bulkQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.bulk.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/bulk-operations/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data && isRunning(query.state.data) ? BULK_REFRESH_MS : false),
  });

/** Sends a bulk request for tasks or runs: the dry run's answer (200) or the operation (202), else an ApiError. */
async function send(target: BulkTarget, action: BulkAction, all: boolean, dryRun: boolean) {
  const common = { action, dryRun, ...(all ? { all: true } : {}) };
  const result =
    target.kind === 'tasks'
      ? await api.POST('/api/v1/tasks/bulk', { body: { ...common, filter: target.filter } })
      : await api.POST('/api/v1/workflow-runs/bulk', { body: { ...common, filter: target.filter } });
  if (result.response.status !== (dryRun ? 200 : 202) || !result.data) throw toApiError(result.error, result.response);
  return result.data.data;
}

/** How many items the action would apply to (an ApiError with `/all` when the filter needs the confirmation). */
export async function dryRun(target: BulkTarget, action: BulkAction, all: boolean): Promise<number> {
  return ((await send(target, action, all, true)) as { matched: number }).matched;
}

/** Starts the operation (202). */
export async function start(target: BulkTarget, action: BulkAction, all: boolean): Promise<BulkOperation> {
  return (await send(target, action, all, false)) as BulkOperation;
}
