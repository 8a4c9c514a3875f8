import { type QueryClient, queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import type { LiveEvent } from '../../app/live-events';
import { creatorOnlyReason } from '../../app/creator-only';
import { useMe } from '../../app/session';
import { patchRun, runEvents } from './run-events';

export type Workflow = components['schemas']['WorkflowDto'];
/** A workflow in a list: its steps may be left out for their size; `stepCount` is always there. */
export type WorkflowListItem = components['schemas']['WorkflowListItemDto'];
/** One workflow as its page reads it, with the steps that keep it from running. */
export type WorkflowDetail = components['schemas']['WorkflowDetailDto'];
export type WorkflowStep = components['schemas']['WorkflowStepDto'];
export type WorkflowRun = components['schemas']['WorkflowRunDto'];
/** A run as a list gives it: its input and outputs may be left out (`inputOmitted`, `outputOmitted`). */
export type RunListItem = components['schemas']['RunListItemDto'];
export type RunStep = components['schemas']['RunStepDto'];
export type RunStatus = WorkflowRun['status'];
export type StepStatus = RunStep['status'];
export type Agent = components['schemas']['AgentDto'];

export const FINAL_RUN: RunStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface Page<T> {
  items: T[];
  total: number;
}

export const workflowListQuery = (params: { skip: number; limit: number; q?: string }) =>
  queryOptions({
    queryKey: queryKeys.workflows.list(params),
    queryFn: async (): Promise<Page<WorkflowListItem>> => {
      const result = await api.GET('/api/v1/workflows', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
  });

export const workflowQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.workflows.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/workflows/{id}', { params: { path: { id } } })),
  });

export const workflowRunsQuery = (id: string, params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.workflows.runs(id, params),
    queryFn: async (): Promise<Page<RunListItem>> => {
      const result = await api.GET('/api/v1/workflows/{id}/runs', { params: { path: { id }, query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
  });

export const runQuery = (runId: string) =>
  queryOptions({
    queryKey: queryKeys.workflows.run(runId),
    queryFn: async () => unwrap(await api.GET('/api/v1/workflow-runs/{runId}', { params: { path: { runId } } })),
  });

/** Every agent (up to the API's page limit), for their names on the graph and the check of agent ids. */
export const allAgentsQuery = () =>
  queryOptions({
    queryKey: queryKeys.agents.list({ limit: 1000 }),
    queryFn: async (): Promise<Page<Agent>> => {
      const result = await api.GET('/api/v1/agents', { params: { query: { limit: 1000 } } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    staleTime: 30_000,
  });

/** One agent; a 404 says it was deleted. */
export const agentQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.agents.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/agents/{id}', { params: { path: { id } } })),
  });

/** Why the signed-in user may not define, change, run or cancel workflows, or null when they may. */
export function useWorkflowsWriteBlocked(): string | null {
  const me = useMe();
  return me.permissions.includes('workflows:write') ? null : 'Your role may not do this (needs workflows:write)';
}

/**
 * Why the signed-in user may not change or delete `workflow` (their role, or someone else's workflow), or null.
 * Running it needs only workflows:write ({@link useWorkflowsWriteBlocked}).
 */
export function useWorkflowChangeBlocked(workflow: { createdBy: string | null } | undefined): string | null {
  const me = useMe();
  const blocked = useWorkflowsWriteBlocked();
  return blocked ?? (workflow ? creatorOnlyReason(me, workflow, 'workflow') : null);
}

/**
 * Writes a frame's `run.updated` events into the cache: the run's statuses at once (the graph changes
 * colour), then the run is read again for what the event does not carry (outputs, errors, finish time),
 * and its workflow's list of runs is refreshed.
 */
export function applyRunEvents(queryClient: QueryClient, events: LiveEvent[]): void {
  const updates = runEvents(events);
  const runIds = new Set<string>();
  const workflowIds = new Set<string>();
  for (const update of updates) {
    runIds.add(update.runId);
    workflowIds.add(update.workflowId);
    queryClient.setQueryData<WorkflowRun>(queryKeys.workflows.run(update.runId), (run) =>
      run ? patchRun(run, update) : run,
    );
  }
  for (const runId of runIds) void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.run(runId) });
  for (const id of workflowIds) {
    void queryClient.invalidateQueries({ queryKey: ['workflows', 'runs', id] });
  }
}
