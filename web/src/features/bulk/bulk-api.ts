import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import {
  BULK_REFRESH_MS,
  type BulkAction,
  type BulkOperation,
  type BulkRunFilter,
  type BulkTaskFilter,
  isRunning,
} from './bulk-helpers';

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

interface TaskBulkRequest {
  action: BulkAction;
  filter: BulkTaskFilter;
  all: boolean;
}

interface RunBulkRequest {
  action: BulkAction;
  filter: BulkRunFilter;
  all: boolean;
}

const body = <F>({ action, filter, all }: { action: BulkAction; filter: F; all: boolean }, dryRun: boolean) => ({
  action,
  filter,
  dryRun,
  ...(all ? { all: true } : {}),
});

/** How many tasks the action would apply to (an ApiError with `/all` when the filter needs the confirmation). */
export async function dryRunTasks(request: TaskBulkRequest): Promise<number> {
  const result = await api.POST('/api/v1/tasks/bulk', { body: body(request, true) });
  if (result.response.status !== 200 || !result.data) throw toApiError(result.error, result.response);
  return (result.data.data as { matched: number }).matched;
}

/** Starts the operation (202). */
export async function startTasks(request: TaskBulkRequest): Promise<BulkOperation> {
  const result = await api.POST('/api/v1/tasks/bulk', { body: body(request, false) });
  if (result.response.status !== 202 || !result.data) throw toApiError(result.error, result.response);
  return result.data.data as BulkOperation;
}

/** How many workflow runs the action would apply to. */
export async function dryRunRuns(request: RunBulkRequest): Promise<number> {
  const result = await api.POST('/api/v1/workflow-runs/bulk', { body: body(request, true) });
  if (result.response.status !== 200 || !result.data) throw toApiError(result.error, result.response);
  return (result.data.data as { matched: number }).matched;
}

/** Starts the operation on workflow runs (202). */
export async function startRuns(request: RunBulkRequest): Promise<BulkOperation> {
  const result = await api.POST('/api/v1/workflow-runs/bulk', { body: body(request, false) });
  if (result.response.status !== 202 || !result.data) throw toApiError(result.error, result.response);
  return result.data.data as BulkOperation;
}
