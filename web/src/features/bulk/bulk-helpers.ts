import type { components } from '../../api/schema';

export type BulkOperation = components['schemas']['BulkOperationDto'];
export type BulkTaskFilter = components['schemas']['BulkTaskFilterDto'];
export type BulkAction = BulkOperation['action'];
export type BulkRunFilter = components['schemas']['BulkRunsRequestDto']['filter'];

/** What an operation applies to: tasks with the task list's filter, or workflow runs with the runs'. */
export type BulkTarget = { kind: 'tasks'; filter: BulkTaskFilter } | { kind: 'workflow-runs'; filter: BulkRunFilter };

export const BULK_PAGE_SIZE = 20;
/** How often a queued or running operation is read again; nothing is read again once all have finished. */
export const BULK_REFRESH_MS = 1_500;

export const isRunning = (op: Pick<BulkOperation, 'status'>) => op.status === 'queued' || op.status === 'running';

/** The task list's filters as a bulk filter: only those set. */
export function bulkTaskFilter(params: {
  status?: string;
  agentId?: string;
  errorCode?: string;
  tag?: string;
  createdAfter?: string;
}): BulkTaskFilter {
  const filter: BulkTaskFilter = {};
  if (params.status) filter.status = params.status as BulkTaskFilter['status'];
  if (params.agentId) filter.agentId = params.agentId;
  if (params.errorCode) filter.errorCode = params.errorCode;
  if (params.tag) filter.tag = params.tag;
  if (params.createdAfter) filter.createdAfter = params.createdAfter;
  return filter;
}

const RETRYABLE = ['failed', 'cancelled', 'expired'];
const CANCELLABLE = ['queued', 'running', 'retrying'];

/** Which bulk actions a task filter allows: retry unless it names a status that cannot be retried; cancel likewise. */
export function allowedActions(status: string | undefined): BulkAction[] {
  const actions: BulkAction[] = [];
  if (!status || RETRYABLE.includes(status)) actions.push('retry');
  if (!status || CANCELLABLE.includes(status)) actions.push('cancel');
  return actions;
}

/** Whether the server asks for `all: true` (a filter that narrows by nothing but its status). */
export function needsAll(details: readonly { field?: string; message?: string }[]): boolean {
  return details.some((d) => d.field === '/all');
}

/** "1,234 tasks match", "1 run matches". */
export function matchedText(matched: number, noun: 'task' | 'run'): string {
  const n = new Intl.NumberFormat('en').format(matched);
  return matched === 1 ? `1 ${noun} matches` : `${n} ${noun}s match`;
}

/** An operation's progress as a whole percentage, 0 to 100 whatever the counts say. */
export function progressPercent(op: Pick<BulkOperation, 'progress'>): number {
  return Math.min(100, Math.max(0, Math.round(op.progress * 100)));
}

/**
 * "412 of 1,000 (41%) · 3 could not be changed": an operation's progress in words. `matched` is a count taken
 * when the operation was created, and items that came to match since are acted on too: past it, the text says
 * so ("1,047 done (1,000 matched at the start)") rather than "1,047 of 1,000".
 */
export function progressText(op: Pick<BulkOperation, 'matched' | 'done' | 'failed' | 'progress'>): string {
  const f = new Intl.NumberFormat('en');
  const handled = op.done + op.failed;
  const base =
    handled > op.matched
      ? `${f.format(handled)} done (${f.format(op.matched)} matched at the start)`
      : `${f.format(handled)} of ${f.format(op.matched)} (${progressPercent(op)}%)`;
  return op.failed > 0 ? `${base} · ${f.format(op.failed)} could not be changed` : base;
}

/** "Retry tasks", "Cancel workflow runs". */
export function operationTitle(op: Pick<BulkOperation, 'kind' | 'action'>): string {
  return `${op.action === 'retry' ? 'Retry' : 'Cancel'} ${op.kind === 'tasks' ? 'tasks' : 'workflow runs'}`;
}
