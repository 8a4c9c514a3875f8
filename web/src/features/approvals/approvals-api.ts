import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';

export type WaitingApproval = components['schemas']['WaitingApprovalDto'];

export const APPROVALS_PAGE_SIZE = 25;
/** Steps are decided elsewhere too (the run's page, the API, a timeout): the list is read again this often. */
export const APPROVALS_REFRESH_MS = 15_000;

export const approvalsQuery = (params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.approvals.list(params),
    queryFn: async () => {
      const result = await api.GET('/api/v1/approvals', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
    refetchInterval: APPROVALS_REFRESH_MS,
  });

/** Who decides a step, in words. */
export function decidersOf(approval: Pick<WaitingApproval, 'permission'>): string {
  return approval.permission ? `Holders of ${approval.permission}` : 'The run’s creator or an admin';
}
